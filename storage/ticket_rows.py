"""Rows of the ticket tables turned into the records of :mod:`storage.models`, and back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row, Select, select

from storage.models import (
    Handover,
    Platform,
    StaffMember,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketMessage,
    TicketMessageKind,
    TicketStatus,
)
from storage.schema import readers, tickets
from storage.staff_columns import member, member_of, thread_of


def ticket_select() -> Select[Any]:
    """Tickets with the name and platform of their reader."""
    return select(
        tickets,
        readers.c.display_name.label("reader_name"),
        readers.c.platform.label("reader_platform"),
    ).select_from(tickets.outerjoin(readers, readers.c.id == tickets.c.reader_id))


def assignee_of(row: Row[Any]) -> StaffMember | None:
    """The assignee stored in a row holding the ``assignee_*`` columns."""
    return member_of(row._mapping, "assignee")


def ticket(row: Row[Any]) -> Ticket:
    return ticket_from_values(row._mapping)


def ticket_from_values(values: Mapping[Any, Any]) -> Ticket:
    """The ticket in a row of :func:`ticket_select`, by column name."""
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
        assignee=member_of(values, "assignee"),
        thread=thread_of(values),
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
        author=member_of(values, "author"),
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
    return member(raw.get("platform"), raw.get("user_id"), raw.get("name"))


def _handover(raw: Any) -> Handover | None:
    if not isinstance(raw, dict):
        return None
    assignee = _member_of(raw.get("assignee"))
    by = _member_of(raw.get("by"))
    if assignee is None or by is None:
        return None
    return Handover(previous=_member_of(raw.get("previous")), assignee=assignee, by=by)
