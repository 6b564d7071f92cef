"""How fast a burst of new readers is answered, against Telegram's 30 messages/s ceiling.

Runs the real application against the fake Bot API (which enforces Telegram's limits and
answers 429 past them), pushes N readers' ``/start`` at once and measures until every reader
has the welcome. Prints the achieved rate as a ratio of the ceiling, and the 429 count.

    python -m bench.burst            # 500 readers
    python -m bench.burst 1000
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bot.app import Application
from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.settings import Settings

TELEGRAM_CEILING = 30.0


async def burst(readers: int) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        async with FakeTelegramServer(enforce_limits=True) as telegram:
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
                started = time.perf_counter()
                for chat in chats:
                    telegram.push_message(chat, "/start", language_code="ru")
                await telegram.wait_for(
                    lambda: all(telegram.sent_to(c) for c in chats), timeout=readers
                )
                elapsed = time.perf_counter() - started
            finally:
                await app.stop()
    rate = readers / elapsed
    print(f"readers answered:        {readers}")
    print(f"elapsed:                 {elapsed:.1f} s")
    print(f"achieved rate:           {rate:.1f} messages/s")
    print(f"ratio to the 30/s limit: {rate / TELEGRAM_CEILING:.2f}")
    print(f"429 answers received:    {telegram.too_many_requests}")


if __name__ == "__main__":
    asyncio.run(burst(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
