"""Forum topics through the adapter: creating, reopening, and sending into them as replies."""

from __future__ import annotations

import pytest

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.telegram import TelegramMessenger
from handlers.core.events import Attachment, AttachmentKind
from handlers.core.messenger import PermanentError
from handlers.core.replies import Button, Reply
from storage.models import Address, Platform

FORUM_ID = -1001500
FORUM = Address(Platform.TELEGRAM, FORUM_ID)
PLAIN_GROUP = Address(Platform.TELEGRAM, -1001600)


@pytest.fixture
def forum(server: FakeTelegramServer) -> Address:
    server.forum_chat(FORUM_ID)
    return FORUM


async def test_a_topic_is_created_in_a_forum(
    server: FakeTelegramServer, messenger: TelegramMessenger, forum: Address
) -> None:
    topic_id = await messenger.create_topic(forum, "№12 · Тематический запрос")

    [topic] = server.topics(FORUM_ID)
    assert topic_id == topic.thread_id
    assert topic.name == "№12 · Тематический запрос"
    assert not topic.closed


async def test_a_long_title_is_cut_to_telegrams_limit(
    server: FakeTelegramServer, messenger: TelegramMessenger, forum: Address
) -> None:
    await messenger.create_topic(forum, "Запрос " * 40)

    [topic] = server.topics(FORUM_ID)
    assert len(topic.name) == 128


async def test_a_group_that_is_not_a_forum_gives_none_and_is_asked_once(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    first = await messenger.create_topic(PLAIN_GROUP, "№1")
    second = await messenger.create_topic(PLAIN_GROUP, "№2")

    assert (first, second) == (None, None)
    assert len(server.calls_of("createForumTopic")) == 1


async def test_a_private_chat_has_no_topics_and_telegram_is_not_asked(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    assert await messenger.create_topic(Address(Platform.TELEGRAM, 501), "№1") is None
    assert server.calls_of("createForumTopic") == []


async def test_missing_rights_are_raised_and_not_taken_for_a_plain_group(
    server: FakeTelegramServer, messenger: TelegramMessenger, forum: Address
) -> None:
    server.fail_next(
        FORUM_ID, status=400, description="Bad Request: not enough rights to create a topic"
    )

    with pytest.raises(PermanentError, match="not enough rights"):
        await messenger.create_topic(forum, "№1")

    assert await messenger.create_topic(forum, "№1") is not None


async def test_a_closed_topic_is_reopened_and_an_open_one_left_alone(
    server: FakeTelegramServer, messenger: TelegramMessenger, forum: Address
) -> None:
    topic_id = await messenger.create_topic(forum, "№7")
    assert topic_id is not None
    server.close_topic(FORUM_ID, topic_id)

    await messenger.reopen_topic(forum, topic_id)
    await messenger.reopen_topic(forum, topic_id)

    [topic] = server.topics(FORUM_ID)
    assert not topic.closed
    assert len(server.calls_of("reopenForumTopic")) == 2


async def test_reopening_a_topic_that_does_not_exist_fails(
    messenger: TelegramMessenger, forum: Address
) -> None:
    with pytest.raises(PermanentError, match="thread not found"):
        await messenger.reopen_topic(forum, 9999)


async def test_every_part_of_a_reply_goes_into_the_topic(
    server: FakeTelegramServer, messenger: TelegramMessenger, forum: Address
) -> None:
    topic_id = await messenger.create_topic(forum, "№3")
    other_topic = await messenger.create_topic(forum, "№4")
    document = Attachment(AttachmentKind.DOCUMENT, data=b"%PDF", file_name="list.pdf")
    reply = Reply(
        "Карточка " * 600,
        buttons=((Button("Взять", "st:take:3"),),),
        attachments=(document,),
        thread_id=topic_id,
    )

    await messenger.send(forum, reply)

    sent = server.sent_to(FORUM_ID)
    assert len(sent) == 3
    assert {message.message_thread_id for message in sent} == {topic_id}
    assert server.sent_to(FORUM_ID, thread_id=other_topic) == []


async def test_a_photo_with_its_caption_goes_into_the_topic(
    server: FakeTelegramServer, messenger: TelegramMessenger, forum: Address
) -> None:
    topic_id = await messenger.create_topic(forum, "№5")
    photo = Attachment(AttachmentKind.PHOTO, data=b"jpeg-bytes", file_name="scan.jpg")

    await messenger.send(forum, Reply("Скан", attachments=(photo,), thread_id=topic_id))

    [sent] = server.sent_to(FORUM_ID)
    assert (sent.method, sent.caption, sent.message_thread_id) == ("sendphoto", "Скан", topic_id)


async def test_only_the_first_part_is_sent_as_a_reply(
    server: FakeTelegramServer, messenger: TelegramMessenger, forum: Address
) -> None:
    topic_id = await messenger.create_topic(forum, "№6")
    card_id = await messenger.send(forum, Reply("Карточка №6", thread_id=topic_id))

    await messenger.send(forum, Reply("Ответ " * 900, thread_id=topic_id, reply_to=card_id))

    _, first, second = server.sent_to(FORUM_ID)
    assert first.reply_to == card_id
    assert first.reply_parameters == {"message_id": card_id, "allow_sending_without_reply": True}
    assert second.reply_to is None


async def test_a_reply_to_a_deleted_message_is_still_sent(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    message_id = await messenger.send(PLAIN_GROUP, Reply("Заметка", reply_to=4242))

    [sent] = server.sent_to(PLAIN_GROUP.peer_id)
    assert (sent.message_id, sent.reply_to) == (message_id, 4242)


async def test_a_thread_is_dropped_for_a_chat_known_to_have_no_topics(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    assert await messenger.create_topic(PLAIN_GROUP, "№8") is None

    await messenger.send(PLAIN_GROUP, Reply("Карточка", thread_id=77))

    [sent] = server.sent_to(PLAIN_GROUP.peer_id)
    assert sent.message_thread_id is None
