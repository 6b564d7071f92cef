"""The fake Bot API on a thread and event loop of its own.

In-process fakes share the bot's event loop, so a stall of that loop delays when the fake
sees requests that had already left the bot, and bunches them up: a fake that measures rates
would then blame the bot for the loop's stall. A real Telegram is not stalled by the bot, and
neither is this one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

from bot.playground.platforms.telegram_server import FakeTelegramServer

START_TIMEOUT = 10.0

T = TypeVar("T")


class ThreadedTelegramServer:
    """Runs a ``FakeTelegramServer`` on its own loop; ``fake`` may be read from the test's
    loop, and anything that changes it goes through ``call``."""

    def __init__(self, **options: bool | float | str) -> None:
        self._options = options
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._fake: FakeTelegramServer | None = None
        self._thread = threading.Thread(target=self._run, name="fake-telegram", daemon=True)

    @property
    def fake(self) -> FakeTelegramServer:
        assert self._fake is not None, "the threaded fake is not running"
        return self._fake

    async def run(self, action: Callable[[FakeTelegramServer], T]) -> T:
        """Run ``action`` on the fake's own loop and return its result: for changes (pushing
        updates, taking them) that must not race the fake's handlers."""
        assert self._loop is not None

        async def call() -> T:
            return action(self.fake)

        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(call(), self._loop))

    def push_message(self, chat_id: int, text: str) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(lambda: self.fake.push_message(chat_id, text))

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with FakeTelegramServer(**self._options) as fake:  # type: ignore[arg-type]
            self._fake = fake
            self._ready.set()
            await self._stop.wait()

    async def __aenter__(self) -> ThreadedTelegramServer:
        self._thread.start()
        if not await asyncio.to_thread(self._ready.wait, START_TIMEOUT):
            raise RuntimeError("the threaded fake Telegram server did not start")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        await asyncio.to_thread(self._thread.join, START_TIMEOUT)
