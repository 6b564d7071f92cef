"""Fixtures: a fake Bot API on 127.0.0.1 and an adapter bot pointed at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiogram import Bot

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.ratelimit import RateLimiter
from bot.telegram import TelegramMessenger, TelegramRunner, create_bot
from handlers.core.events import Event


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as fake:
        yield fake


@pytest.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    telegram_bot = create_bot(server.token, RateLimiter(), api_base=server.base_url)
    yield telegram_bot
    await telegram_bot.session.close()


@pytest.fixture
def messenger(bot: Bot) -> TelegramMessenger:
    return TelegramMessenger(bot)


class Collector:
    """A neutral handler that records the events it is given."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)


@asynccontextmanager
async def polling(runner: TelegramRunner) -> AsyncIterator[asyncio.Task[None]]:
    """Run long polling in the background for the duration of the block."""
    task = asyncio.create_task(runner.run_polling(polling_timeout=2, handle_signals=False))
    try:
        yield task
    finally:
        await runner.stop_polling()
        await task
