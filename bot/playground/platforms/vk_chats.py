"""Group chats (peers from 2000000000) the fake VK knows: members, admins, the owner."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

CHAT_PEER_BASE = 2_000_000_000
NO_ACCESS = 917
NO_ACCESS_MESSAGE = "You don't have access to this chat"

JsonDict = dict[str, Any]


@dataclass(slots=True)
class ChatMember:
    member_id: int
    is_admin: bool = False
    is_owner: bool = False
    join_date: int = field(default_factory=lambda: int(time.time()))

    def to_json(self, invited_by: int) -> JsonDict:
        """An item of ``messages.getConversationMembers``: VK leaves out the role flags that
        are false."""
        item: JsonDict = {
            "member_id": self.member_id,
            "invited_by": invited_by,
            "join_date": self.join_date,
        }
        if self.is_admin:
            item["is_admin"] = True
        if self.is_owner:
            item["is_owner"] = True
            item["can_kick"] = True
        return item


@dataclass(slots=True)
class Chat:
    """One chat; ``community_is_admin`` decides whether the community may list members."""

    peer_id: int
    community_is_admin: bool = True
    members: dict[int, ChatMember] = field(default_factory=dict)

    def owner_id(self) -> int:
        return next((m.member_id for m in self.members.values() if m.is_owner), 0)


class Chats:
    def __init__(self) -> None:
        self._chats: dict[int, Chat] = {}

    def chat(self, peer_id: int) -> Chat:
        """The chat ``peer_id``, created on first use."""
        if peer_id < CHAT_PEER_BASE:
            raise ValueError(f"{peer_id} is not a chat peer (chats start at {CHAT_PEER_BASE})")
        return self._chats.setdefault(peer_id, Chat(peer_id))

    def get(self, peer_id: int) -> Chat | None:
        return self._chats.get(peer_id)
