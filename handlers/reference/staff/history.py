"""A ticket's whole stored conversation, as staff read it with ``/ticket N``."""

from __future__ import annotations

from datetime import datetime

from handlers.core.i18n import Translator, platform_name
from handlers.reference.staff.cards import handover_text, kind_name, reader_name, status_name
from handlers.reference.staff.files import file_names
from handlers.reference.staff.formatting import local_time, pack_lines
from storage.models import StaffMember, Ticket, TicketEvent, TicketMessage, TicketMessageKind


def transcript(
    ticket: Ticket,
    messages: list[TicketMessage],
    events: list[TicketEvent],
    t: Translator,
    timezone: str,
) -> list[str]:
    """Messages and status changes in time order, split into messages that fit a chat."""
    head = [
        t("desk-card-title", number=ticket.id, kind=kind_name(t, ticket.kind)),
        t("desk-card-status", status=status_name(t, ticket.status)),
        t("desk-card-assignee", name=ticket.assignee.name if ticket.assignee else "—"),
        "",
    ]
    entries: list[tuple[datetime, int, str]] = []
    for order, message in enumerate(messages):
        entries.append((message.created_at, order, _message(ticket, message, t, timezone)))
    for order, event in enumerate(events, start=len(messages)):
        entries.append((event.at, order, _event(event, t, timezone)))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    if not entries:
        head.append(t("desk-history-empty"))
    return pack_lines([*head, *(text for _, _, text in entries)])


def _message(ticket: Ticket, message: TicketMessage, t: Translator, timezone: str) -> str:
    author = message.author.name if message.author else "—"
    who = {
        TicketMessageKind.READER: t("desk-who-reader", name=reader_name(t, ticket)),
        TicketMessageKind.STAFF: t("desk-who-staff", name=author),
        TicketMessageKind.NOTE: t("desk-who-note", name=author),
        TicketMessageKind.SYSTEM: t("desk-who-system"),
    }[message.kind]
    parts = [f"[{local_time(message.created_at, timezone)}] {who}:"]
    if message.text:
        parts.append(message.text)
    if message.attachments:
        parts.append(t("desk-card-files", files=file_names(message.attachments, t)))
    return "\n".join(parts)


def _event(event: TicketEvent, t: Translator, timezone: str) -> str:
    if event.handover is not None and event.from_status == event.to_status:
        change = handover_text(t, event.handover)
    else:
        before = status_name(t, event.from_status) if event.from_status else "—"
        change = t(
            "desk-history-event",
            before=before,
            after=status_name(t, event.to_status),
            actor=_actor(event.actor, t),
        )
    return f"[{local_time(event.at, timezone)}] {change}"


def _actor(actor: str, t: Translator) -> str:
    if actor in ("reader", "system"):
        return t(f"desk-actor-{actor}")
    staff = StaffMember.parse(actor)
    if staff is None:
        return actor
    return t("desk-actor-staff", name=staff.name, platform=platform_name(t, staff.platform))
