"""One announcement to 10,000 subscribers (5,000 on Telegram, 5,000 on VK) against fake
servers that enforce Telegram's 30 messages/s and VK's 20 requests/s: no 429, no VK rate
error, every subscriber gets exactly one message, and VK readers go 100 to a call.

It runs on virtual time (the limiters, the fakes' windows and the sender's clock), so it
asserts counts, never durations, and does not depend on the machine's speed."""

from __future__ import annotations

from pathlib import Path

from storage.models import OutboxStatus
from tests.subscriptions.fanout import FIRST_TELEGRAM_CHAT, FIRST_VK_PEER, VirtualTime, fan_out
from tests.test_ratelimit import max_in_window

READERS_PER_PLATFORM = 5000


async def test_an_announcement_reaches_10000_subscribers_within_the_limits(
    tmp_path: Path,
) -> None:
    virtual = VirtualTime()
    result = await fan_out(tmp_path, READERS_PER_PLATFORM, READERS_PER_PLATFORM, virtual=virtual)

    assert result.telegram_429s == 0
    assert result.vk_rate_errors == 0
    telegram = set(range(FIRST_TELEGRAM_CHAT, FIRST_TELEGRAM_CHAT + READERS_PER_PLATFORM))
    vk = set(range(FIRST_VK_PEER, FIRST_VK_PEER + READERS_PER_PLATFORM))
    assert set(result.telegram_deliveries) == telegram
    assert set(result.vk_deliveries) == vk
    assert set(result.telegram_deliveries.values()) == {1}
    assert set(result.vk_deliveries.values()) == {1}
    assert result.rows_by_status == {OutboxStatus.SENT: 2 * READERS_PER_PLATFORM}
    assert result.vk_largest_batch == 100
    assert result.vk_send_calls <= 2 * READERS_PER_PLATFORM // 100
    assert max_in_window(result.telegram_arrivals, 1.0) <= 30
    assert max_in_window(result.vk_arrivals, 1.0) <= 20
    # Telegram's 30/s in all means 5,000 messages take at least 166 s of (virtual) time.
    assert result.seconds >= READERS_PER_PLATFORM / 30
