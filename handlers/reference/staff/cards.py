"""The ticket card: what staff see of a ticket at a glance, with its buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.core.config import TicketPolicy
from handlers.core.i18n import Translator, platform_name
from handlers.core.payloads import pack
from handlers.core.replies import Button, Reply
from handlers.reference.reader.kinds import ticket_forms
from handlers.reference.staff.files import file_names
from handlers.reference.staff.formatting import MESSAGE_LIMIT, local_time, shorten
from storage.models import (
    Handover,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketMessage,
    TicketStatus,
)

TOPIC_TITLE_LIMIT = 128
FIELD_VALUE_LIMIT = 600


_FIELD_LABELS: dict[str, dict[str, str]] = {
    name: {step.key: step.label for step in form.steps}
    for name, form in ticket_forms(TicketPolicy()).items()
}
"""The message id naming each form field, by kind: the reader's forms define them, and the
card shows the fields under the same names the reader saw."""


def kind_name(t: Translator, kind: TicketKind) -> str:
    return t(f"desk-kind-{kind}")


def status_name(t: Translator, status: TicketStatus) -> str:
    return t(f"desk-status-{status}")


def reader_name(t: Translator, ticket: Ticket) -> str:
    return ticket.reader_name or t("desk-reader-anonymous")


def handover_text(t: Translator, handover: Handover) -> str:
    """«Передан: Ольга → Мария. Кто передал: Пётр» and the like: who had it, who has it,
    who did it."""
    assignee = handover.assignee.name
    if handover.is_taken:
        if handover.previous is None:
            return t("desk-handover-took", name=assignee)
        return t("desk-handover-taken-from", previous=handover.previous.name, name=assignee)
    if handover.previous is None:
        return t("desk-handover-assigned", name=assignee, by=handover.by.name)
    return t(
        "desk-handover-passed",
        previous=handover.previous.name,
        name=assignee,
        by=handover.by.name,
    )


def topic_title(t: Translator, ticket: Ticket) -> str:
    """«№12 · Тематический · Анна Петрова», cut to Telegram's topic name limit."""
    title = f"№{ticket.id} · {kind_name(t, ticket.kind)} · {reader_name(t, ticket)}"
    return shorten(title, TOPIC_TITLE_LIMIT)


def render_card(
    ticket: Ticket,
    request: TicketMessage | None,
    t: Translator,
    timezone: str,
    now: datetime,
    last_handover: TicketEvent | None = None,
) -> Reply:
    """The card's text and buttons. Files are named here and posted right after the card,
    so the card stays a plain text message that both platforms can edit in place.

    ``last_handover`` is the event of the ticket's last change of hands: the card says it
    when the ticket came from a colleague or was given by one."""
    platform = platform_name(t, ticket.reader_platform) if ticket.reader_platform else "—"
    deadline = local_time(ticket.deadline_at, timezone)
    if ticket.status.is_open and now > ticket.deadline_at:
        deadline = t("desk-overdue-mark", deadline=deadline)
    lines = [
        t("desk-card-title", number=ticket.id, kind=kind_name(t, ticket.kind)),
        t("desk-card-status", status=status_name(t, ticket.status)),
        t("desk-card-deadline", deadline=deadline),
        t("desk-card-assignee", name=ticket.assignee.name if ticket.assignee else "—"),
    ]
    change = last_handover.handover if last_handover else None
    # Taking a ticket nobody had is what the assignee line already says.
    if last_handover and change and (change.previous is not None or not change.is_taken):
        when = local_time(last_handover.at, timezone)
        lines.append(t("desk-card-handover", change=handover_text(t, change), at=when))
    lines.append(t("desk-card-reader", name=reader_name(t, ticket), platform=platform))
    labels = _FIELD_LABELS.get(ticket.kind, {})
    fields = [
        f"{t(labels[key]) if key in labels else key}: {value}"
        for key, raw in ticket.fields.items()
        if (value := _field_value(raw)) is not None
    ]
    if fields:
        lines.append("")
        lines.extend(fields)
    if request is not None and request.attachments:
        lines.append("")
        lines.append(t("desk-card-files", files=file_names(request.attachments, t)))
    if ticket.rating is not None:
        lines.append("")
        lines.append(t("desk-card-rating", rating=ticket.rating))
        if ticket.rating_comment:
            lines.append(shorten(ticket.rating_comment, FIELD_VALUE_LIMIT))
    text = "\n".join(lines)
    if len(text) > MESSAGE_LIMIT:
        # One message only: the card's id must be the message that carries its buttons.
        text = text[: MESSAGE_LIMIT - 1] + "…"
    return Reply(text=text, buttons=card_buttons(ticket, t))


def forgotten_card(number: int, t: Translator) -> Reply:
    """What a card becomes when its reader asked to be forgotten: no name, no request, no
    buttons (there is nothing left to act on)."""
    return Reply(text=t("desk-card-forgotten", number=number))


def card_buttons(ticket: Ticket, t: Translator) -> tuple[tuple[Button, ...], ...]:
    """Only the actions that make sense in the ticket's status."""
    number = str(ticket.id)
    if ticket.status is TicketStatus.CLOSED:
        return ((Button(t("desk-button-reopen"), pack("st", "reopen", number)),),)
    first = (
        Button(t("desk-button-take"), pack("st", "take", number)),
        Button(t("desk-button-assign"), pack("st", "asg", number)),
        Button(t("desk-button-templates"), pack("st", "tpl", number)),
    )
    second = [Button(t("desk-button-close"), pack("st", "close", number))]
    if ticket.status is TicketStatus.ANSWERED:
        second.append(Button(t("desk-button-reopen"), pack("st", "reopen", number)))
    return (first, tuple(second))


def _field_value(raw: Any) -> str | None:
    if raw is None or raw == "" or isinstance(raw, dict):
        return None
    if isinstance(raw, list | tuple):
        parts = [str(item) for item in raw if isinstance(item, str | int | float)]
        return shorten(", ".join(parts), FIELD_VALUE_LIMIT) if parts else None
    return shorten(str(raw), FIELD_VALUE_LIMIT)
