"""Rating an answered request 1–5, with an optional comment as the reader's next text."""

from __future__ import annotations

from handlers.core.events import AttachmentKind
from handlers.core.menu import MENU_MAIN
from handlers.core.payloads import pack
from handlers.core.turn import Turn
from handlers.reference.reader.context import COMMENT_FLOW, MENU_MINE, TicketContext, owned_ticket
from handlers.reference.reader.my_requests import can_rate
from storage.models import Ticket, TicketMessageKind


async def rate(ctx: TicketContext, turn: Turn, ticket: Ticket, raw_score: str | None) -> bool:
    """``tk:rate:<N>:<S>``: store the score and ask for a comment. False when the score is
    not one the bot offers or the ticket cannot be rated (a forged button)."""
    if raw_score not in {"1", "2", "3", "4", "5"} or not can_rate(ticket):
        return False
    score = int(raw_score)
    await _rate(ctx, ticket, score, None, ctx.staff_t("ticket-system-rated", rating=score))
    turn.state.flow, turn.state.step = COMMENT_FLOW, None
    turn.state.data = {"ticket": ticket.id, "rating": score}
    turn.say(
        turn.t("rating-thanks-comment", rating=score),
        (turn.button("rating-skip-comment", pack("tk", "skipcomment", str(ticket.id))),),
    )
    return True


async def on_comment_message(ctx: TicketContext, turn: Turn) -> None:
    """The text after a rating is its comment."""
    text = (turn.event.text or "").strip()
    files = [a for a in turn.event.attachments if a.kind is not AttachmentKind.UNSUPPORTED]
    if not text:
        hint = "rating-comment-text-only" if files else "rating-thanks-comment"
        ticket_id = turn.state.data.get("ticket")
        turn.say(
            turn.t(hint, rating=turn.state.data.get("rating")),
            (turn.button("rating-skip-comment", pack("tk", "skipcomment", str(ticket_id))),),
        )
        return
    if await settle(ctx, turn, text):
        turn.say(
            turn.t("rating-comment-saved"),
            (turn.button("mine-back", MENU_MINE),),
            (turn.button("back-to-menu", MENU_MAIN),),
        )


async def skip_comment(ctx: TicketContext, turn: Turn, ticket: Ticket) -> bool:
    """``tk:skipcomment:<N>``; False when no rating of ticket N is waiting for a comment."""
    if turn.state.flow != COMMENT_FLOW or turn.state.data.get("ticket") != ticket.id:
        return False
    await settle(ctx, turn, None)
    turn.say(
        turn.t("rating-done"),
        (turn.button("mine-back", MENU_MINE),),
        (turn.button("back-to-menu", MENU_MAIN),),
    )
    return True


async def settle(ctx: TicketContext, turn: Turn, comment: str | None) -> bool:
    """Finish a pending rating; a comment is stored and passed to the staff desk (the score
    itself reached staff when it was given, so a reader who leaves loses nothing).

    Also called when the reader moves on without commenting. False (and nothing stored)
    when the rated ticket is no longer the reader's.
    """
    if turn.state.flow != COMMENT_FLOW:
        return False
    data = turn.state.data
    turn.state.flow = None
    turn.state.data = {}
    ticket = await owned_ticket(ctx, turn, data.get("ticket"))
    score = data.get("rating")
    if ticket is None or not isinstance(score, int):
        return False
    if comment:
        text = ctx.staff_t("ticket-system-rated-comment", rating=score, comment=comment)
        await _rate(ctx, ticket, score, comment, text)
    return True


async def _rate(
    ctx: TicketContext, ticket: Ticket, score: int, comment: str | None, record_text: str
) -> None:
    """Store the rating with the SYSTEM record staff read about it, then tell the desk."""
    async with ctx.transactions.transaction() as work:
        await work.tickets.rate(ticket.id, score, comment)
        record = await work.tickets.add_message(
            ticket.id, TicketMessageKind.SYSTEM, record_text, at=ctx.clock()
        )
    refreshed = await ctx.tickets.get(ticket.id)
    await ctx.desk.ticket_changed(refreshed or ticket, record)
