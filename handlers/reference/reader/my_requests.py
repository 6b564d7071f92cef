"""«My requests»: the reader's tickets, one ticket with its actions, and cancelling."""

from __future__ import annotations

from handlers.core.menu import MENU_MAIN
from handlers.core.payloads import pack
from handlers.core.replies import Button
from handlers.core.turn import Turn
from handlers.reference.reader.context import MENU_ASK, MENU_MINE, TicketContext
from handlers.reference.reader.display import list_line, ticket_text
from handlers.reference.reader.kinds import kind_name
from storage.models import Ticket, TicketMessageKind, TicketStatus

LIST_LIMIT = 10
"""The newest requests shown; older ones are closed long ago as a rule."""


async def show_mine(ctx: TicketContext, turn: Turn) -> None:
    tickets = await ctx.tickets.for_reader(turn.reader.id, limit=LIST_LIMIT)
    if not tickets:
        turn.say(
            turn.t("mine-empty"),
            (turn.button("menu-ask", MENU_ASK),),
            (turn.button("back-to-menu", MENU_MAIN),),
        )
        return
    working = ctx.config.working_time
    lines = [turn.t("mine-prompt"), *(list_line(turn, t, working) for t in tickets)]
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                turn.t("mine-button", number=t.id, kind=kind_name(turn, t.kind)),
                pack("tk", "show", str(t.id)),
            ),
        )
        for t in tickets
    ]
    rows.append((turn.button("back-to-menu", MENU_MAIN),))
    turn.say("\n".join(lines), *rows)


def show_ticket(ctx: TicketContext, turn: Turn, ticket: Ticket) -> None:
    """One ticket with what the reader may do with it now."""
    number = str(ticket.id)
    rows: list[tuple[Button, ...]] = []
    if can_rate(ticket):
        rows.append(rating_row(ticket))
    if ticket.status is not TicketStatus.CLOSED:
        rows.append((turn.button("ticket-add", pack("tk", "add", number)),))
        rows.append((turn.button("ticket-cancel", pack("tk", "cancel", number)),))
    rows.append((turn.button("mine-back", MENU_MINE), turn.button("back-to-menu", MENU_MAIN)))
    form = ctx.forms.get(str(ticket.kind))
    turn.say(ticket_text(turn, ticket, form, ctx.config.working_time), *rows)


def can_rate(ticket: Ticket) -> bool:
    """A request can be rated once the library has answered it, even after it closed."""
    return ticket.status is TicketStatus.ANSWERED or (
        ticket.status is TicketStatus.CLOSED and ticket.answered_at is not None
    )


def rating_row(ticket: Ticket) -> tuple[Button, ...]:
    return tuple(
        Button(f"{score} ⭐", pack("tk", "rate", str(ticket.id), str(score)))
        for score in range(1, 6)
    )


def confirm_cancel(ctx: TicketContext, turn: Turn, ticket: Ticket) -> None:
    if ticket.status is TicketStatus.CLOSED:
        turn.say(turn.t("ticket-already-closed", number=ticket.id))
        show_ticket(ctx, turn, ticket)
        return
    number = str(ticket.id)
    turn.say(
        turn.t("ticket-cancel-confirm", number=ticket.id),
        (turn.button("ticket-cancel-yes", pack("tk", "cancelyes", number)),),
        (turn.button("ticket-cancel-no", pack("tk", "show", number)),),
    )


async def cancel(ctx: TicketContext, turn: Turn, ticket: Ticket) -> None:
    """The reader withdraws the request: it closes, and staff see why in its thread."""
    if ticket.status is TicketStatus.CLOSED:
        turn.say(turn.t("ticket-already-closed", number=ticket.id))
        show_ticket(ctx, turn, ticket)
        return
    now = ctx.clock()
    async with ctx.transactions.transaction() as work:
        closed = await work.tickets.set_status(ticket.id, TicketStatus.CLOSED, "reader", now)
        record = await work.tickets.add_message(
            ticket.id, TicketMessageKind.SYSTEM, ctx.staff_t("ticket-system-cancelled"), at=now
        )
    await ctx.desk.ticket_changed(closed, record)
    turn.say(
        turn.t("ticket-cancelled", number=ticket.id),
        (turn.button("mine-back", MENU_MINE),),
        (turn.button("back-to-menu", MENU_MAIN),),
    )
