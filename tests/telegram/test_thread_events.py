"""Events from staff chats carry the forum topic and the message replied to."""

from __future__ import annotations

from aiogram import Bot

from bot.playground.platforms.telegram_server import FakeTelegramServer, FakeUser
from bot.telegram import TelegramMessenger, TelegramRunner
from handlers.core.replies import Button, Reply
from storage.models import Address, Platform
from tests.telegram.conftest import Collector, polling

FORUM_ID = -1001800
FORUM = Address(Platform.TELEGRAM, FORUM_ID)
STAFF = FakeUser(41, "Ольга", language_code="ru")


async def test_a_message_in_a_topic_is_not_a_reply_to_the_topic_itself(
    server: FakeTelegramServer, bot: Bot, messenger: TelegramMessenger
) -> None:
    server.forum_chat(FORUM_ID)
    topic_id = await messenger.create_topic(FORUM, "№12")
    collector = Collector()

    async with polling(TelegramRunner(bot, collector)):
        update = server.push_message(FORUM_ID, "Ответ читателю", user=STAFF, thread_id=topic_id)
        await server.wait_for(lambda: len(collector.events) == 1)

    # Telegram's own shape: the implicit "reply" to the topic's creation message.
    assert update["message"]["reply_to_message"]["forum_topic_created"]["name"] == "№12"
    [event] = collector.events
    assert (event.thread_id, event.reply_to_message_id) == (topic_id, None)
    assert (event.sender_id, event.is_private) == (41, False)


async def test_an_explicit_reply_in_a_topic_names_the_message(
    server: FakeTelegramServer, bot: Bot, messenger: TelegramMessenger
) -> None:
    server.forum_chat(FORUM_ID)
    topic_id = await messenger.create_topic(FORUM, "№13")
    card_id = await messenger.send(FORUM, Reply("Карточка №13", thread_id=topic_id))
    collector = Collector()

    async with polling(TelegramRunner(bot, collector)):
        server.push_message(FORUM_ID, "Заметка", user=STAFF, reply_to=card_id)
        await server.wait_for(lambda: len(collector.events) == 1)

    [event] = collector.events
    assert (event.thread_id, event.reply_to_message_id) == (topic_id, card_id)


async def test_a_reply_outside_topics_has_no_thread(
    server: FakeTelegramServer, bot: Bot, messenger: TelegramMessenger
) -> None:
    group = Address(Platform.TELEGRAM, -1001900)
    card_id = await messenger.send(group, Reply("Карточка №14"))
    collector = Collector()

    async with polling(TelegramRunner(bot, collector)):
        update = server.push_message(group.peer_id, "Ответ", user=STAFF, reply_to=card_id)
        server.push_message(group.peer_id, "Просто текст", user=STAFF)
        await server.wait_for(lambda: len(collector.events) == 2)

    # A supergroup's reply thread is not a forum topic.
    assert update["message"]["message_thread_id"] == card_id
    reply, plain = collector.events
    assert (reply.thread_id, reply.reply_to_message_id) == (None, card_id)
    assert (plain.thread_id, plain.reply_to_message_id) == (None, None)


async def test_a_reply_in_a_forums_general_topic_has_no_thread(
    server: FakeTelegramServer, bot: Bot, messenger: TelegramMessenger
) -> None:
    server.forum_chat(FORUM_ID)
    notice_id = await messenger.send(FORUM, Reply("Сводка за день"))
    collector = Collector()

    async with polling(TelegramRunner(bot, collector)):
        server.push_message(FORUM_ID, "Принято", user=STAFF, reply_to=notice_id)
        await server.wait_for(lambda: len(collector.events) == 1)

    [event] = collector.events
    assert (event.thread_id, event.reply_to_message_id) == (None, notice_id)


async def test_a_button_press_in_a_topic_carries_the_topic(
    server: FakeTelegramServer, bot: Bot, messenger: TelegramMessenger
) -> None:
    server.forum_chat(FORUM_ID)
    topic_id = await messenger.create_topic(FORUM, "№15")
    card_id = await messenger.send(
        FORUM,
        Reply("Карточка №15", buttons=((Button("Взять", "st:take:15"),),), thread_id=topic_id),
    )
    collector = Collector()

    async with polling(TelegramRunner(bot, collector)):
        server.push_callback(FORUM_ID, "st:take:15", card_id, user=STAFF)
        server.push_callback(501, "menu:ask", 1)
        await server.wait_for(lambda: len(collector.events) == 2)

    in_topic, private = collector.events
    assert (in_topic.payload, in_topic.thread_id, in_topic.sender_id) == (
        "st:take:15",
        topic_id,
        41,
    )
    assert private.thread_id is None
