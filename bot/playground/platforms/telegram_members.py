"""``ChatMember`` objects of every status, shaped the way the Bot API sends them."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
    "can_pin_messages",
    "can_manage_topics",
)
_MEMBER_RIGHTS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)


def member_json(status: str, user: Json) -> Json:
    """A ``ChatMember`` of ``status`` for ``user`` (a ``User`` object)."""
    member: Json = {"status": status, "user": user}
    match status:
        case "creator":
            member["is_anonymous"] = False
        case "administrator":
            member |= {"can_be_edited": False, "is_anonymous": False}
            member |= dict.fromkeys(_ADMIN_RIGHTS, True)
        case "restricted":
            member |= {"is_member": True, "until_date": 0}
            member |= dict.fromkeys(_MEMBER_RIGHTS, False)
        case "kicked":
            member["until_date"] = 0
        case "member" | "left":
            pass
        case _:
            raise ValueError(f"unknown chat member status {status!r}")
    return member
