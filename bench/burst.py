"""How fast a burst of new readers is answered, against Telegram's 30 messages/s ceiling.

Runs the real application against the fake Bot API on a thread and event loop of its own
(so that it sees requests arrive as a remote server would, whatever stalls the bot's loop),
strict by default: it answers 429 to any message past 30 in one second of arrivals. Pushes N
readers' ``/start`` at once and measures until every reader has the welcome. Prints the
achieved rate as a ratio of the ceiling, the sustained rate the server saw (first to last
message), the most messages it saw within one second, and the 429 count.

    python -m bench.burst                  # 600 readers, strict fake
    python -m bench.burst 1000
    python -m bench.burst 600 --slack 0.25 # the lenient fake the tests use (30 per 0.75 s)
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bot.app import Application
from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.settings import Settings
from tests.e2e.threaded_fake import ThreadedTelegramServer

TELEGRAM_CEILING = 30.0


def most_within_a_second(times: list[float]) -> int:
    ordered = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(ordered):
        while ordered[start] <= at - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def burst(readers: int, slack: float) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        async with ThreadedTelegramServer(enforce_limits=True, limit_slack=slack) as server:
            telegram: FakeTelegramServer = server.fake
            settings = Settings(
                _env_file=None,
                telegram_bot_token=telegram.token,
                telegram_api_base=telegram.base_url,
                database_url=f"sqlite+aiosqlite:///{Path(workdir) / 'bench.sqlite3'}",
                log_level="WARNING",
            )
            app = Application(settings)
            await app.start()
            try:
                chats = range(10_000, 10_000 + readers)
                started = time.monotonic()
                for chat in chats:
                    server.push_message(chat, "/start")
                await telegram.wait_for(
                    lambda: all(telegram.sent_to(c) for c in chats), timeout=readers
                )
                elapsed = time.monotonic() - started
            finally:
                await app.stop()
            arrivals = [call.at for call in telegram.calls_of("sendMessage")]
    rate = readers / elapsed
    sustained = (len(arrivals) - 1) / (max(arrivals) - min(arrivals))
    print(f"readers answered:          {readers}")
    print(f"elapsed:                   {elapsed:.1f} s")
    print(f"achieved rate:             {rate:.1f} messages/s")
    print(f"ratio to the 30/s limit:   {rate / TELEGRAM_CEILING:.2f}")
    print(f"sustained at the server:   {sustained:.1f} messages/s (first to last arrival)")
    print(f"most within one second:    {most_within_a_second(arrivals)}")
    print(f"first message after:       {min(arrivals) - started:.2f} s")
    print(f"429 answers received:      {telegram.too_many_requests} (fake slack {slack} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("readers", nargs="?", type=int, default=600)
    parser.add_argument(
        "--slack", type=float, default=0.0, help="how much the fake shortens its windows"
    )
    arguments = parser.parse_args()
    asyncio.run(burst(arguments.readers, arguments.slack))


if __name__ == "__main__":
    main()
