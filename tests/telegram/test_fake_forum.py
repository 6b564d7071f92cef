"""The fake Bot API's forums, topics and members behave like Telegram's."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import ReplyParameters

from bot.playground.platforms.telegram_server import FakeTelegramServer

FORUM_ID = -1002000


async def test_get_chat_tells_a_forum_from_a_plain_group(
    server: FakeTelegramServer, bot: Bot
) -> None:
    server.forum_chat(FORUM_ID)

    assert (await bot.get_chat(FORUM_ID)).is_forum
    assert not (await bot.get_chat(-1002001)).is_forum


async def test_only_supergroups_can_be_forums(server: FakeTelegramServer) -> None:
    with pytest.raises(ValueError, match="supergroups"):
        server.forum_chat(-2002)


async def test_topics_exist_only_in_forums(server: FakeTelegramServer, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(-1002001, "№1")


async def test_a_thread_id_must_name_a_topic(server: FakeTelegramServer, bot: Bot) -> None:
    server.forum_chat(FORUM_ID)

    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(FORUM_ID, "hi", message_thread_id=404)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(-1002001, "hi", message_thread_id=1)


async def test_a_topic_is_a_service_message_in_the_chats_numbering(
    server: FakeTelegramServer, bot: Bot
) -> None:
    server.forum_chat(FORUM_ID)
    before = await bot.send_message(FORUM_ID, "before")

    topic = await bot.create_forum_topic(FORUM_ID, "№2")
    inside = await bot.send_message(FORUM_ID, "card", message_thread_id=topic.message_thread_id)

    assert topic.message_thread_id == before.message_id + 1
    assert inside.is_topic_message
    assert inside.reply_to_message is not None
    assert inside.reply_to_message.forum_topic_created is not None


async def test_closing_twice_is_not_modified(server: FakeTelegramServer, bot: Bot) -> None:
    server.forum_chat(FORUM_ID)
    topic = await bot.create_forum_topic(FORUM_ID, "№3")

    await bot.close_forum_topic(FORUM_ID, topic.message_thread_id)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(FORUM_ID, topic.message_thread_id)


async def test_a_reply_to_a_missing_message_needs_permission(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(-1002001, "x", reply_parameters=ReplyParameters(message_id=99))

    sent = await bot.send_message(
        -1002001,
        "x",
        reply_parameters=ReplyParameters(message_id=99, allow_sending_without_reply=True),
    )
    assert sent.reply_to_message is None


async def test_configured_admins_are_listed(server: FakeTelegramServer, bot: Bot) -> None:
    server.set_member_status(FORUM_ID, 31, "administrator")
    server.set_member_status(FORUM_ID, 32, "member")

    admins = await bot.get_chat_administrators(FORUM_ID)

    assert sorted(admin.user.id for admin in admins) == [1, 31]
    with pytest.raises(ValueError, match="unknown chat member status"):
        server.set_member_status(FORUM_ID, 33, "owner")
