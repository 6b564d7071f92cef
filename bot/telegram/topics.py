"""Forum topics in Telegram supergroups: create, reopen, rename, and remember chats without
them."""

from __future__ import annotations

import logging

from aiogram import Bot

from bot.telegram.errors import neutral_errors
from handlers.core.messenger import PermanentError

logger = logging.getLogger(__name__)

TOPIC_NAME_LIMIT = 128
_NOT_A_FORUM = "the chat is not a forum"
_NOT_MODIFIED = "TOPIC_NOT_MODIFIED"


class ForumTopics:
    """Opens and reopens topics in forum supergroups.

    A chat that answers "the chat is not a forum" is remembered as such, so a staff chat that
    is a plain group costs one failed call per process, not one per ticket. Topics need the
    bot to be an admin with the "manage topics" right; without it Telegram's refusal is raised
    as a ``PermanentError``, since that is a setup mistake staff must see.
    """

    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._plain_chats: set[int] = set()

    def is_plain(self, chat_id: int) -> bool:
        """Whether the chat is known to have no topics."""
        return chat_id in self._plain_chats

    async def create(self, chat_id: int, title: str) -> int | None:
        """The new topic's ``message_thread_id``, or None for a chat without topics."""
        if chat_id > 0 or chat_id in self._plain_chats:
            return None
        name = title.strip()[:TOPIC_NAME_LIMIT] or "…"
        try:
            with neutral_errors():
                topic = await self._bot.create_forum_topic(chat_id, name)
        except PermanentError as error:
            if _NOT_A_FORUM not in str(error).lower():
                raise
            logger.info("Chat %s is not a forum: tickets go to the chat itself", chat_id)
            self._plain_chats.add(chat_id)
            return None
        return topic.message_thread_id

    async def reopen(self, chat_id: int, topic_id: int) -> None:
        """Reopen a topic; one that is already open is fine."""
        if chat_id in self._plain_chats:
            return
        try:
            with neutral_errors():
                await self._bot.reopen_forum_topic(chat_id, topic_id)
        except PermanentError as error:
            if _NOT_MODIFIED not in str(error):
                raise

    async def rename(self, chat_id: int, topic_id: int, title: str) -> None:
        """Give a topic a new name; the name it already has is fine."""
        if chat_id in self._plain_chats:
            return
        name = title.strip()[:TOPIC_NAME_LIMIT] or "…"
        try:
            with neutral_errors():
                await self._bot.edit_forum_topic(chat_id, topic_id, name=name)
        except PermanentError as error:
            if _NOT_MODIFIED not in str(error):
                raise
