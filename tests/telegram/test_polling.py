"""Long polling turns pushed updates into neutral events and survives failing handlers."""

from __future__ import annotations

import asyncio

from aiogram import Bot

from bot.playground.platforms.telegram_server import FakeTelegramServer, FakeUser
from bot.telegram import TelegramMessenger, TelegramRunner
from bot.telegram.runner import POLLING_CONCURRENCY
from handlers.core.events import AttachmentKind, Event
from storage.models import Address, Platform
from tests.telegram.conftest import Collector, polling


async def test_a_message_arrives_as_a_neutral_event(server: FakeTelegramServer, bot: Bot) -> None:
    collector = Collector()
    reader = FakeUser(901, first_name="Анна", last_name="Петрова", language_code="ru")

    async with polling(TelegramRunner(bot, collector)):
        update = server.push_message(901, "/start", user=reader)
        await server.wait_for(lambda: len(collector.events) == 1)

    [event] = collector.events
    assert event.address == Address(Platform.TELEGRAM, 901)
    assert (event.sender_id, event.display_name, event.language_code) == (901, "Анна Петрова", "ru")
    assert (event.text, event.command, event.payload) == ("/start", "start", None)
    assert event.message_id == update["message"]["message_id"]
    assert event.is_private


async def test_a_button_press_arrives_with_its_payload(
    server: FakeTelegramServer, bot: Bot
) -> None:
    collector = Collector()

    async with polling(TelegramRunner(bot, collector)):
        query_id = server.push_callback(902, "menu:renew", message_id=7)
        await server.wait_for(lambda: len(collector.events) == 1)

    [event] = collector.events
    assert (event.payload, event.callback_id, event.message_id) == ("menu:renew", query_id, 7)
    assert event.is_button
    assert event.address == Address(Platform.TELEGRAM, 902)


async def test_a_group_message_names_the_chat_and_the_sender(
    server: FakeTelegramServer, bot: Bot
) -> None:
    collector = Collector()

    async with polling(TelegramRunner(bot, collector)):
        server.push_message(-1001234, "reply to #12", user=FakeUser(77, "Staff"))
        await server.wait_for(lambda: len(collector.events) == 1)

    [event] = collector.events
    assert event.address == Address(Platform.TELEGRAM, -1001234)
    assert event.sender_id == 77
    assert not event.is_private


async def test_photo_and_document_become_attachments_that_can_be_downloaded(
    server: FakeTelegramServer, bot: Bot
) -> None:
    collector = Collector()

    async with polling(TelegramRunner(bot, collector)):
        server.push_photo(903, b"full-size-photo-bytes", caption="my card", media_group_id="g1")
        server.push_document(903, b"%PDF", file_name="list.pdf", mime_type="application/pdf")
        await server.wait_for(lambda: len(collector.events) == 2)

    photo_event, document_event = collector.events
    [photo] = photo_event.attachments
    assert (photo_event.text, photo_event.media_group_id) == ("my card", "g1")
    assert (photo.kind, photo.platform) == (AttachmentKind.PHOTO, Platform.TELEGRAM)
    [document] = document_event.attachments
    assert (document.kind, document.file_name, document.mime_type, document.size) == (
        AttachmentKind.DOCUMENT,
        "list.pdf",
        "application/pdf",
        4,
    )
    messenger = TelegramMessenger(bot)
    assert await messenger.download(photo) == b"full-size-photo-bytes"
    assert await messenger.download(document) == b"%PDF"


async def test_voice_and_stickers_are_unsupported_and_service_messages_are_skipped(
    server: FakeTelegramServer, bot: Bot
) -> None:
    collector = Collector()
    voice = {"voice": {"file_id": "v1", "file_unique_id": "uv1", "duration": 3}}
    sticker = {
        "sticker": {
            "file_id": "s1",
            "file_unique_id": "us1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    }
    joined = {"new_chat_members": [{"id": 5, "is_bot": False, "first_name": "New"}]}

    async with polling(TelegramRunner(bot, collector)):
        for extra in (voice, joined, sticker):
            chat = -500 if extra is joined else 904
            server.push_update(server.message_update(chat, extra=extra))
        server.push_message(904, "after")
        await server.wait_for(lambda: len(collector.events) == 3)

    kinds = [[a.kind for a in e.attachments] for e in collector.events]
    assert kinds == [[AttachmentKind.UNSUPPORTED], [AttachmentKind.UNSUPPORTED], []]
    assert collector.events[2].text == "after"


async def test_a_failing_handler_does_not_stop_polling(
    server: FakeTelegramServer, bot: Bot
) -> None:
    handled: list[str | None] = []

    async def handler(event: Event) -> None:
        if event.text == "boom":
            raise RuntimeError("handler bug")
        handled.append(event.text)

    async with polling(TelegramRunner(bot, handler)):
        server.push_message(905, "boom")
        await server.wait_for(lambda: len(server.calls_of("getUpdates")) >= 2)
        server.push_message(905, "still alive")
        await server.wait_for(lambda: handled == ["still alive"])


async def test_a_slow_reader_does_not_hold_up_others(server: FakeTelegramServer, bot: Bot) -> None:
    release = asyncio.Event()
    finished: list[int] = []

    async def handler(event: Event) -> None:
        if event.address.peer_id == 906:
            await release.wait()
        finished.append(event.address.peer_id)

    async with polling(TelegramRunner(bot, handler)):
        server.push_message(906, "slow")
        server.push_message(907, "fast")
        await server.wait_for(lambda: finished == [907])
        release.set()
        await server.wait_for(lambda: finished == [907, 906])


async def test_at_most_so_many_updates_are_handled_at_once(
    server: FakeTelegramServer, bot: Bot
) -> None:
    """A burst does not interleave every turn on the loop at once: past the bound, an update
    waits for a slot, and gets one as soon as any turn ends."""
    release = asyncio.Event()
    started: list[int] = []

    async def handler(event: Event) -> None:
        started.append(event.address.peer_id)
        if len(started) <= POLLING_CONCURRENCY:
            await release.wait()

    chats = range(10_000, 10_000 + POLLING_CONCURRENCY + 5)
    async with polling(TelegramRunner(bot, handler)):
        for chat in chats:
            server.push_message(chat, "/start")
        await server.wait_for(lambda: len(started) == POLLING_CONCURRENCY)
        for _ in range(20):
            await asyncio.sleep(0.01)
        assert len(started) == POLLING_CONCURRENCY
        release.set()
        await server.wait_for(lambda: len(started) == len(chats))


async def test_polling_removes_a_leftover_webhook_first(
    server: FakeTelegramServer, bot: Bot
) -> None:
    collector = Collector()
    await bot.set_webhook("https://example.org/hook", secret_token="s3cret")

    async with polling(TelegramRunner(bot, collector)):
        server.push_message(908, "hello")
        await server.wait_for(lambda: len(collector.events) == 1)

    assert server.webhook_url is None


async def test_readers_leave_no_state_in_aiogram(server: FakeTelegramServer, bot: Bot) -> None:
    """Conversation state is ours, in the database: aiogram's FSM, which would keep a record
    per reader in process memory for ever, is off."""
    collector = Collector()
    runner = TelegramRunner(bot, collector)

    async with polling(runner):
        for reader in range(910, 915):
            server.push_message(reader, "/start")
        await server.wait_for(lambda: len(collector.events) == 5)

    assert runner.dispatcher.fsm not in runner.dispatcher.update.outer_middleware
    storage = runner.dispatcher.fsm.storage
    assert getattr(storage, "storage", {}) == {}
