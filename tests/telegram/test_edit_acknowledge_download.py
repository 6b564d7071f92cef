"""Editing sent messages, answering button presses and fetching users' files."""

from __future__ import annotations

import pytest

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.telegram import TelegramMessenger
from handlers.core.events import Attachment, AttachmentKind, Event
from handlers.core.messenger import PermanentError
from handlers.core.replies import Button, Reply
from storage.models import Address, Platform

READER = Address(Platform.TELEGRAM, 601)


async def test_edit_replaces_text_and_buttons(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    message_id = await messenger.send(READER, Reply("Step 1", buttons=((Button("Next", "n"),),)))

    await messenger.edit(READER, message_id, Reply("Step 2 <i>done</i>"))

    [sent] = server.sent_to(601)
    assert (sent.text, sent.buttons, sent.edits) == ("Step 2 <i>done</i>", [], 1)
    assert sent.parse_mode is None


async def test_edit_to_identical_content_is_not_an_error(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    message_id = await messenger.send(READER, Reply("Same"))

    await messenger.edit(READER, message_id, Reply("Same"))

    assert server.sent_to(601)[0].edits == 0


async def test_edit_of_a_missing_message_fails_permanently(messenger: TelegramMessenger) -> None:
    with pytest.raises(PermanentError):
        await messenger.edit(READER, 999, Reply("nothing there"))


async def test_acknowledge_answers_the_callback_with_a_notice(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    query_id = server.push_callback(601, "menu:ask", message_id=1)
    event = Event(address=READER, sender_id=601, payload="menu:ask", callback_id=query_id)

    await messenger.acknowledge(event, "Saved")

    [answer] = server.callback_answers
    assert (answer.callback_query_id, answer.text) == (query_id, "Saved")


async def test_acknowledging_a_stale_press_is_quietly_ignored(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    event = Event(address=READER, sender_id=601, payload="x", callback_id="expired")

    await messenger.acknowledge(event)

    assert server.callback_answers == []


async def test_acknowledging_a_plain_message_does_nothing(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    await messenger.acknowledge(Event(address=READER, sender_id=601, text="hi"))

    assert server.calls_of("answerCallbackQuery") == []


async def test_download_fetches_the_bytes_of_a_users_file(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    stored = server.add_file(b"%PDF reader's referral", file_name="referral.pdf")
    attachment = Attachment(AttachmentKind.DOCUMENT, platform=Platform.TELEGRAM, ref=stored.file_id)

    assert await messenger.download(attachment) == b"%PDF reader's referral"


async def test_download_of_an_unknown_file_fails_permanently(
    messenger: TelegramMessenger,
) -> None:
    attachment = Attachment(AttachmentKind.PHOTO, platform=Platform.TELEGRAM, ref="nope")

    with pytest.raises(PermanentError):
        await messenger.download(attachment)
