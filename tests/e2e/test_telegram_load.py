"""Load test: a burst of new readers against a fake that enforces Telegram's flood limits."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest

from tests.e2e.conftest import Launcher
from tests.e2e.threaded_fake import ThreadedTelegramServer

READERS = 500
FIRST_CHAT = 700_000
LIBRARY = "Кузбасская научная медицинская библиотека"


@pytest.fixture
async def strict_telegram() -> AsyncIterator[ThreadedTelegramServer]:
    """A fake that answers 429 to any call past 30 messages/s, 1/s per chat or 20/min a group,
    on its own thread, so that it measures arrivals as a remote server would."""
    async with ThreadedTelegramServer(enforce_limits=True) as server:
        yield server


async def test_burst_of_500_new_readers_all_welcomed_within_limits(
    strict_telegram: ThreadedTelegramServer, launch: Launcher
) -> None:
    """LOAD TEST. 500 readers send /start at the same moment: every one gets exactly one
    welcome, and the bot's own pacing keeps it under Telegram's limits, so the server never
    has to answer 429. At 30 messages/s this takes about 17 s; the wait is bounded at 120 s
    and nothing about speed is asserted."""
    telegram = strict_telegram.fake
    app = await launch(telegram=telegram)
    chats = range(FIRST_CHAT, FIRST_CHAT + READERS)

    for chat in chats:
        strict_telegram.push_message(chat, "/start")

    await telegram.wait_for(count=READERS, timeout=120)
    await app.stop()
    per_chat = Counter(m.chat_id for m in telegram.sent)
    assert set(per_chat) == set(chats)
    assert max(per_chat.values()) == 1, "no reader got the welcome twice"
    assert all(LIBRARY in (m.text or "") for m in telegram.sent)
    assert telegram.too_many_requests == 0, (
        "the bot's pacing let calls reach the server faster than Telegram allows: the limiter's "
        "margin (bot/ratelimit.py) no longer covers the stall between pacing and sending"
    )
