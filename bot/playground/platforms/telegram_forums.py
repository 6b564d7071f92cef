"""Forum supergroups and their topics, as the fake Bot API keeps them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]

TOPIC_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)


@dataclass(slots=True)
class FakeTopic:
    """A forum topic; ``thread_id`` is the id of the service message that created it."""

    chat_id: int
    thread_id: int
    name: str
    icon_color: int
    created_at: int
    closed: bool = False

    def to_json(self) -> Json:
        """The ``ForumTopic`` object createForumTopic answers with."""
        return {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }

    def service_message(self, chat: Json, bot_user: Json) -> Json:
        """The "forum topic created" service message that opens the topic.

        Telegram puts it as ``reply_to_message`` of every message in the topic that replies
        to nothing else.
        """
        return {
            "message_id": self.thread_id,
            "message_thread_id": self.thread_id,
            "is_topic_message": True,
            "date": self.created_at,
            "chat": chat,
            "from": bot_user,
            "forum_topic_created": {"name": self.name, "icon_color": self.icon_color},
        }


class Forums:
    """Which chats are forums, and the topics in each."""

    def __init__(self) -> None:
        self._topics: dict[int, dict[int, FakeTopic]] = {}

    def declare(self, chat_id: int) -> None:
        if not str(chat_id).startswith("-100"):
            raise ValueError("only supergroups (ids starting with -100) can be forums")
        self._topics.setdefault(chat_id, {})

    def is_forum(self, chat_id: int) -> bool:
        return chat_id in self._topics

    def create(self, chat_id: int, thread_id: int, name: str, icon_color: int | None) -> FakeTopic:
        topics = self._topics[chat_id]
        color = icon_color if icon_color is not None else TOPIC_COLORS[len(topics) % 6]
        topic = FakeTopic(chat_id, thread_id, name, color, int(time.time()))
        topics[thread_id] = topic
        return topic

    def get(self, chat_id: int, thread_id: int) -> FakeTopic | None:
        return self._topics.get(chat_id, {}).get(thread_id)

    def in_chat(self, chat_id: int) -> list[FakeTopic]:
        return list(self._topics.get(chat_id, {}).values())
