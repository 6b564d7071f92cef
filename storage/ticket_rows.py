"""Rows of the ticket tables turned into the records of :mod:`storage.models`, and back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select, select

from storage.models import (
    Address,
    Handover,
    Platform,
    StaffMember,
    StaffThread,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketMessage,
    TicketMessageKind,
    TicketStatus,
)
from storage.schema import readers, tickets


def ticket_select() -> Select[Any]:
    """Tickets with the name and platform of their reader."""
    return select(
        tickets,
        readers.c.display_name.label("reader_name"),
        readers.c.platform.label("reader_platform"),
    ).select_from(tickets.outerjoin(readers, readers.c.id == tickets.c.reader_id))


def _member(platform: str | None, user_id: int | None, name: str | None) -> StaffMember | None:
    if platform is None or user_id is None:
        return None
    return StaffMember(Platform(platform), user_id, name or "")


def assignee_of(row: Row[Any]) -> StaffMember | None:
    """The assignee stored in a row holding the ``assignee_*`` columns."""
    values = row._mapping
    return _member(values["assignee_platform"], values["assignee_user_id"], values["assignee_name"])


def member_columns(prefix: str, member: StaffMember | None) -> dict[str, Any]:
    """The ``<prefix>_platform``, ``<prefix>_user_id`` and ``<prefix>_name`` values."""
    return {
        f"{prefix}_platform": str(member.platform) if member else None,
        f"{prefix}_user_id": member.user_id if member else None,
        f"{prefix}_name": member.name if member else None,
    }


def thread_columns(thread: StaffThread) -> dict[str, Any]:
    return {
        "staff_platform": str(thread.chat.platform),
        "staff_chat_id": thread.chat.peer_id,
        "staff_topic_id": thread.topic_id,
        "card_message_id": thread.card_message_id,
    }


def ticket(row: Row[Any]) -> Ticket:
    values = row._mapping
    thread = None
    if values["staff_platform"] is not None and values["staff_chat_id"] is not None:
        thread = StaffThread(
            chat=Address(Platform(values["staff_platform"]), values["staff_chat_id"]),
            topic_id=values["staff_topic_id"],
            card_message_id=values["card_message_id"],
        )
    platform = values["reader_platform"]
    return Ticket(
        id=values["id"],
        reader_id=values["reader_id"],
        kind=TicketKind(values["kind"]),
        status=TicketStatus(values["status"]),
        fields=dict(values["fields"]),
        deadline_at=values["deadline_at"],
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        assignee=assignee_of(row),
        thread=thread,
        answered_at=values["answered_at"],
        closed_at=values["closed_at"],
        rating=values["rating"],
        rating_comment=values["rating_comment"],
        reader_name=values["reader_name"],
        reader_platform=Platform(platform) if platform is not None else None,
    )


def message(row: Row[Any]) -> TicketMessage:
    values = row._mapping
    return TicketMessage(
        id=values["id"],
        ticket_id=values["ticket_id"],
        kind=TicketMessageKind(values["kind"]),
        text=values["text"],
        attachments=list(values["attachments"]),
        created_at=values["created_at"],
        author=_member(values["author_platform"], values["author_user_id"], values["author_name"]),
    )


def event(row: Row[Any]) -> TicketEvent:
    values = row._mapping
    before = values["from_status"]
    return TicketEvent(
        ticket_id=values["ticket_id"],
        from_status=TicketStatus(before) if before is not None else None,
        to_status=TicketStatus(values["to_status"]),
        actor=values["actor"],
        at=values["at"],
        handover=_handover(values["handover"]),
    )


def handover_json(handover: Handover) -> dict[str, Any]:
    """The ``handover`` column of a ticket event."""
    return {
        "previous": _member_json(handover.previous),
        "assignee": _member_json(handover.assignee),
        "by": _member_json(handover.by),
    }


def _member_json(member: StaffMember | None) -> dict[str, Any] | None:
    if member is None:
        return None
    return {"platform": str(member.platform), "user_id": member.user_id, "name": member.name}


def _member_of(raw: Any) -> StaffMember | None:
    if not isinstance(raw, dict):
        return None
    return _member(raw.get("platform"), raw.get("user_id"), raw.get("name"))


def _handover(raw: Any) -> Handover | None:
    if not isinstance(raw, dict):
        return None
    assignee = _member_of(raw.get("assignee"))
    by = _member_of(raw.get("by"))
    if assignee is None or by is None:
        return None
    return Handover(previous=_member_of(raw.get("previous")), assignee=assignee, by=by)
