"""What the reader writes to a request after sending it: into the ticket they chose with
«Add to request», or, outside any form, into their open ticket. A follow-up to an answered
ticket reopens it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.core.events import AttachmentKind
from handlers.core.menu import MENU_MAIN
from handlers.core.payloads import pack
from handlers.core.turn import Turn
from handlers.reference.reader.context import (
    ADD_FLOW,
    MENU_ASK,
    MENU_MINE,
    TicketContext,
    owned_ticket,
)
from storage.models import Ticket, TicketMessageKind, TicketStatus


async def add_to_ticket(
    ctx: TicketContext, ticket: Ticket, text: str | None, attachments: Sequence[dict[str, Any]]
) -> Ticket:
    """Store the reader's message in the ticket and tell the staff desk; an answered ticket
    goes back to work (to its assignee, if it has one)."""
    now = ctx.clock()
    async with ctx.transactions.transaction() as work:
        if ticket.status is TicketStatus.ANSWERED:
            back_to = TicketStatus.IN_PROGRESS if ticket.assignee else TicketStatus.NEW
            ticket = await work.tickets.set_status(ticket.id, back_to, "reader", now)
        message = await work.tickets.add_message(
            ticket.id, TicketMessageKind.READER, text, attachments, at=now
        )
        await ctx.desk.queue_reader_message(work, ticket, message)
    await ctx.desk.reader_wrote(ticket, message)
    return ticket


def start_adding(turn: Turn, ticket: Ticket) -> None:
    """``tk:add:<N>``: the reader's next messages and files go to ticket N."""
    if ticket.status is TicketStatus.CLOSED:
        _closed(turn, ticket)
        return
    turn.state.flow, turn.state.step = ADD_FLOW, None
    turn.state.data = {"ticket": ticket.id}
    turn.say(
        turn.t("ticket-add-prompt", number=ticket.id),
        (turn.button("ticket-add-done", pack("tk", "show", str(ticket.id))),),
    )


async def on_add_message(ctx: TicketContext, turn: Turn) -> None:
    """A message or files while adding to a chosen ticket."""
    ticket = await owned_ticket(ctx, turn, turn.state.data.get("ticket"))
    if ticket is None or ticket.status is TicketStatus.CLOSED:
        turn.state.flow = None
        turn.state.data = {}
        if ticket is None:
            turn.say(turn.t("stale-button"), (turn.button("menu-mine", MENU_MINE),))
        else:
            _closed(turn, ticket)
        return
    text, files = _content(turn)
    await add_to_ticket(ctx, ticket, text, files)
    if _first_of_album(turn):
        turn.say(
            turn.t("ticket-added", number=ticket.id),
            (turn.button("ticket-add-done", pack("tk", "show", str(ticket.id))),),
        )


async def into_open_ticket(ctx: TicketContext, turn: Turn) -> bool:
    """A message outside any form goes to the reader's open ticket, if there is one; the
    reader can still start a new request with it. False when there is no open ticket."""
    if not turn.reader.has_consent:
        return False
    ticket = await ctx.tickets.latest_active_for_reader(turn.reader.id)
    if ticket is None:
        return False
    text, files = _content(turn)
    await add_to_ticket(ctx, ticket, text, files)
    if text:
        turn.state.data["draft"] = text
    if _first_of_album(turn):
        turn.say(
            turn.t("ticket-added-open", number=ticket.id),
            (turn.button("ticket-new-instead", MENU_ASK),),
            (turn.button("menu-mine", MENU_MINE), turn.button("back-to-menu", MENU_MAIN)),
        )
    return True


def offer_new_request(turn: Turn) -> None:
    """Text outside any form and any open ticket: kept as the draft of a new request (with
    consent), and the reader offered to make one of it."""
    event = turn.event
    if turn.reader.has_consent and event.text:
        turn.state.data["draft"] = event.text.strip()
    turn.say(
        turn.t("free-text-offer"),
        (turn.button("menu-ask", MENU_ASK),),
        (turn.button("back-to-menu", MENU_MAIN),),
    )


def _content(turn: Turn) -> tuple[str | None, list[dict[str, Any]]]:
    event = turn.event
    files = [a.metadata() for a in event.attachments if a.kind is not AttachmentKind.UNSUPPORTED]
    return (event.text or "").strip() or None, files


def _first_of_album(turn: Turn) -> bool:
    """Every part of an album is stored, but the reader is answered once per album."""
    group = turn.event.media_group_id
    if group and turn.state.data.get("last_album") == group:
        return False
    turn.state.data["last_album"] = group
    return True


def _closed(turn: Turn, ticket: Ticket) -> None:
    turn.say(
        turn.t("ticket-closed-new", number=ticket.id),
        (turn.button("menu-ask", MENU_ASK),),
        (turn.button("menu-mine", MENU_MINE),),
    )
