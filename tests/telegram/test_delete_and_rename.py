"""Deleting the bot's messages (within Telegram's 48 hours) and renaming forum topics."""

from __future__ import annotations

import pytest

from bot.playground.platforms.telegram_server import DELETE_WINDOW_SECONDS, FakeTelegramServer
from bot.telegram import TelegramMessenger
from handlers.core.messenger import PermanentError
from handlers.core.replies import Reply
from storage.models import Address, Platform

CHAT_ID = -1001234567890
CHAT = Address(Platform.TELEGRAM, CHAT_ID)


async def test_delete_removes_the_bots_message(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    message_id = await messenger.send(CHAT, Reply("Анна Петрова: файл"))

    await messenger.delete(CHAT, message_id)

    [sent] = server.sent_to(CHAT_ID)
    assert sent.deleted
    with pytest.raises(PermanentError):
        await messenger.delete(CHAT, message_id)


async def test_a_message_older_than_48_hours_cannot_be_deleted(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    message_id = await messenger.send(CHAT, Reply("old"))
    server.age_message(CHAT_ID, message_id, DELETE_WINDOW_SECONDS + 60)

    with pytest.raises(PermanentError, match="can't be deleted"):
        await messenger.delete(CHAT, message_id)

    assert not server.sent_to(CHAT_ID)[0].deleted


async def test_rename_topic_gives_it_the_new_title(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    server.forum_chat(CHAT_ID)
    topic_id = await messenger.create_topic(CHAT, "№1 · Тематический · Анна Петрова")
    assert topic_id is not None

    await messenger.rename_topic(CHAT, topic_id, "№1 · удалено")
    await messenger.rename_topic(CHAT, topic_id, "№1 · удалено")  # the same name is fine

    assert [topic.name for topic in server.topics(CHAT_ID)] == ["№1 · удалено"]
