"""How fast one announcement reaches its subscribers, against each platform's ceiling.

Runs the real digest planner, outbox (SQLite), sender and adapters against the fake
Telegram and VK servers with their limits on (429 past 30 messages/s; VK error 6 past 20
requests/s), on the wall clock. Prints, per platform, the delivery rate as a fraction of the
limit: Telegram messages/s ÷ 30; VK requests/s ÷ 20, and the readers/s VK reaches through
``peer_ids`` batches of up to 100. Both platforms are served at once, as in production, so
each platform's rate is measured over its own span, from its first request reaching the
fake to its last.

    python -m bench.fanout               # 1,000 Telegram + 5,000 VK subscribers
    python -m bench.fanout 5000 5000     # the test's 10,000 (takes about four minutes)
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

from tests.subscriptions.fanout import FanoutResult, fan_out

TELEGRAM_CEILING = 30.0
VK_CEILING = 20.0


async def bench(telegram_readers: int, vk_readers: int) -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as workdir:
        started = time.perf_counter()
        result = await fan_out(Path(workdir), telegram_readers, vk_readers)
        total = time.perf_counter() - started
    elapsed = result.seconds
    telegram_rate = result.rate(result.telegram_arrivals)
    vk_requests = result.rate(result.vk_arrivals)
    vk_span = max(result.vk_arrivals) - min(result.vk_arrivals) if result.vk_arrivals else 0.0
    vk_readers_rate = (sum(result.vk_deliveries.values()) / vk_span) if vk_span else 0.0
    print(f"subscribers:                {telegram_readers} Telegram + {vk_readers} VK")
    print(f"sending took:               {elapsed:.1f} s (whole run {total:.1f} s)")
    print(
        f"Telegram:                   {telegram_rate:.1f} messages/s = "
        f"{telegram_rate / TELEGRAM_CEILING:.2f} of the 30/s limit"
    )
    print(
        f"VK calls:                   {result.vk_send_calls} messages.send, "
        f"largest batch {result.vk_largest_batch} peers"
    )
    print(
        f"VK:                         {vk_requests:.1f} requests/s = "
        f"{vk_requests / VK_CEILING:.2f} of the 20/s limit; {vk_readers_rate:.0f} readers/s "
        f"through peer_ids"
    )
    print(f"429 answers (Telegram):     {result.telegram_429s}")
    print(f"rate errors (VK 6):         {result.vk_rate_errors}")
    print(f"every reader exactly once:  {_exactly_once(result)}")


def _exactly_once(result: FanoutResult) -> bool:
    return (
        len(result.telegram_deliveries) == result.telegram_readers
        and len(result.vk_deliveries) == result.vk_readers
        and set(result.telegram_deliveries.values()) | set(result.vk_deliveries.values()) == {1}
    )


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    telegram, vk = (arguments + [1000, 5000][len(arguments) :])[:2]
    asyncio.run(bench(telegram, vk))
