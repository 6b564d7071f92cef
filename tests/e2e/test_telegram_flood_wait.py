"""Telegram's 429 with ``retry_after`` is waited out, on interactive replies and in the outbox."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from handlers.core.replies import Reply
from storage.models import Address, OutboxStatus, Platform
from tests.e2e.conftest import Launcher
from tests.e2e.telegram_client import say, sends_to, text_of, wait_outbox

READER = 5201
NOTIFIED = 5202


async def test_welcome_arrives_once_after_a_flood_wait(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    """``retry_after`` is 2 s, longer than the 1 s per-chat pacing, so the gap between the
    refused call and the retry shows that the bot waited what Telegram asked (a lower bound
    only, which a slow machine cannot break)."""
    await launch(telegram=telegram)
    telegram.flood_next(READER, retry_after=2)

    welcome = await say(telegram, READER, "/start")

    assert "Кузбасская научная медицинская библиотека" in text_of(welcome)
    assert telegram.too_many_requests == 1
    assert len(telegram.sent_to(READER)) == 1
    refused, accepted = sends_to(telegram, READER)
    assert accepted.at - refused.at >= 1.9


async def test_outbox_row_outlasts_repeated_flood_waits(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    """More 429s than the request middleware retries in place: the sender reschedules the row
    for ``retry_after`` and delivers it on a later claim."""
    app = await launch(telegram=telegram)
    floods = 5
    telegram.flood_next(NOTIFIED, count=floods, retry_after=1)
    address = Address(Platform.TELEGRAM, NOTIFIED)

    await app.storage.outbox.enqueue(
        "reminder:flood", address, Reply(text="Срок возврата книги — завтра.").to_dict()
    )
    app.sender.notify()

    await wait_outbox(app.storage, [OutboxStatus.SENT], timeout=60, peer_id=NOTIFIED)
    assert telegram.too_many_requests == floods
    assert [m.text for m in telegram.sent_to(NOTIFIED)] == ["Срок возврата книги — завтра."]
    item = await app.storage.outbox.get("reminder:flood")
    assert item is not None and item.attempts >= 1, "the row was rescheduled at least once"
