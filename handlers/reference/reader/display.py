"""How tickets, statuses and moments read to the reader, in the reader's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from handlers.core.config import WorkingTime
from handlers.core.forms import Form
from handlers.core.turn import Turn
from handlers.reference.reader.kinds import kind_name
from storage.models import Ticket, TicketStatus


def moment(turn: Turn, at: datetime, working: WorkingTime) -> str:
    """A day and time on the library's clock, e.g. «четверг, 26 ноября, в 10:00»."""
    return str(
        format_datetime(
            at,
            turn.t("format-moment"),
            tzinfo=ZoneInfo(working.timezone),
            locale=turn.t.language,
        )
    )


def day(turn: Turn, at: datetime, working: WorkingTime) -> str:
    return str(
        format_date(
            at.astimezone(ZoneInfo(working.timezone)).date(), "medium", locale=turn.t.language
        )
    )


def status_word(turn: Turn, status: TicketStatus) -> str:
    return turn.t(f"ticket-status-{status}")


def list_line(turn: Turn, ticket: Ticket, working: WorkingTime) -> str:
    """One line of «My requests»: number, kind, status and date."""
    return turn.t(
        "mine-line",
        number=ticket.id,
        kind=kind_name(turn, ticket.kind),
        status=status_word(turn, ticket.status),
        date=day(turn, ticket.created_at, working),
    )


def ticket_text(turn: Turn, ticket: Ticket, form: Form | None, working: WorkingTime) -> str:
    """One ticket: its kind, status, dates, rating and the fields the reader filled in."""
    lines = [
        turn.t("ticket-header", number=ticket.id, kind=kind_name(turn, ticket.kind)),
        turn.t("ticket-status", status=status_word(turn, ticket.status)),
        turn.t("ticket-created", date=day(turn, ticket.created_at, working)),
    ]
    if ticket.status.is_open:
        lines.append(turn.t("ticket-due", deadline=moment(turn, ticket.deadline_at, working)))
    if ticket.rating is not None:
        lines.append(turn.t("ticket-rating", rating=ticket.rating))
    fields = _field_lines(turn, ticket, form)
    if fields:
        lines += ["", *fields]
    return "\n".join(lines)


def _field_lines(turn: Turn, ticket: Ticket, form: Form | None) -> list[str]:
    if form is None:
        return []
    lines = []
    for step in form.steps:
        value = ticket.fields.get(step.key)
        if step.attachments and not step.free_text:
            count = len(value) if isinstance(value, list) else 0
            text = turn.t("form-files-count", count=count) if count else ""
        else:
            text = str(value) if value else ""
        if text:
            lines.append(f"{turn.t(step.label)}: {text}")
    return lines
