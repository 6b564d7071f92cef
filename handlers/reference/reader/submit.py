"""Submitting a request: the daily limit, the ticket, its first message, the staff desk and
the acknowledgement with the expected answer time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.core import forms
from handlers.core.menu import MENU_MAIN
from handlers.core.payloads import pack
from handlers.core.turn import Turn
from handlers.reference.reader.context import MENU_MINE, TicketContext
from handlers.reference.reader.deadlines import deadline, is_open, next_opening
from handlers.reference.reader.display import moment
from storage.models import TicketKind, TicketMessageKind


async def submit(ctx: TicketContext, turn: Turn, form: forms.Form) -> None:
    """Open a ticket from the confirmed form of one kind.

    Over the daily limit nothing is created and the form stays at its summary, so the reader
    can send it the next day or cancel it.
    """
    now = ctx.clock()
    policy = ctx.config.tickets
    working = ctx.config.working_time
    kind = TicketKind(form.name)
    if await ctx.tickets.count_created_since(turn.reader.id, _day_start(now, working.timezone)) >= (
        policy.daily_limit
    ):
        turn.say(
            turn.t("ticket-daily-limit", limit=policy.daily_limit),
            (turn.button("form-send", pack(forms.FORM_ACTION, form.name, forms.CONFIRM, "send")),),
            (
                turn.button(
                    "form-cancel", pack(forms.FORM_ACTION, form.name, forms.CONFIRM, "cancel")
                ),
            ),
        )
        return
    files = forms.files(turn)
    fields = {**forms.answers(turn), "files": files}
    due = deadline(now, policy.deadline_days.get(kind, 1), working)
    async with ctx.transactions.transaction() as work:
        ticket = await work.tickets.create(turn.reader.id, kind, fields, due, now)
        request = await work.tickets.add_message(
            ticket.id, TicketMessageKind.READER, forms.summary(turn, form), files, at=now
        )
    await ctx.desk.ticket_opened(ticket, request)
    forms.finish(turn)
    text = turn.t("ticket-accepted", number=ticket.id, deadline=moment(turn, due, working))
    if not is_open(now, working):
        opening = moment(turn, next_opening(now, working), working)
        text += "\n\n" + turn.t("ticket-accepted-closed", opening=opening)
    turn.say(
        text,
        (turn.button("menu-mine", MENU_MINE),),
        (turn.button("back-to-menu", MENU_MAIN),),
    )


def _day_start(now: datetime, timezone: str) -> datetime:
    """Midnight of the library's current day: the daily limit follows its calendar."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
