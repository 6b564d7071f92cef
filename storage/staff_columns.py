"""The column groups tickets and renewal requests share: a staff member (``<prefix>_platform``,
``<prefix>_user_id``, ``<prefix>_name``) and a staff-chat thread (``staff_platform``,
``staff_chat_id``, ``staff_topic_id``, ``card_message_id``), read from a row and written back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storage.models import Address, Platform, StaffMember, StaffThread


def member(platform: str | None, user_id: int | None, name: str | None) -> StaffMember | None:
    if platform is None or user_id is None:
        return None
    return StaffMember(Platform(platform), user_id, name or "")


def member_of(values: Mapping[Any, Any], prefix: str) -> StaffMember | None:
    """The staff member stored in the ``<prefix>_*`` columns, None when there is none."""
    return member(
        values[f"{prefix}_platform"], values[f"{prefix}_user_id"], values[f"{prefix}_name"]
    )


def member_columns(prefix: str, member: StaffMember | None) -> dict[str, Any]:
    """The ``<prefix>_platform``, ``<prefix>_user_id`` and ``<prefix>_name`` values."""
    return {
        f"{prefix}_platform": str(member.platform) if member else None,
        f"{prefix}_user_id": member.user_id if member else None,
        f"{prefix}_name": member.name if member else None,
    }


def thread_of(values: Mapping[Any, Any]) -> StaffThread | None:
    """The staff-chat thread stored in a row, None before staff were told."""
    if values["staff_platform"] is None or values["staff_chat_id"] is None:
        return None
    return StaffThread(
        chat=Address(Platform(values["staff_platform"]), values["staff_chat_id"]),
        topic_id=values["staff_topic_id"],
        card_message_id=values["card_message_id"],
    )


def thread_columns(thread: StaffThread) -> dict[str, Any]:
    return {
        "staff_platform": str(thread.chat.platform),
        "staff_chat_id": thread.chat.peer_id,
        "staff_topic_id": thread.topic_id,
        "card_message_id": thread.card_message_id,
    }
