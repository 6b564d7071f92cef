"""The request middleware keeps the bot inside Telegram's limits and honours 429 answers."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.ratelimit import Limit, RateLimiter
from bot.telegram import TelegramMessenger, counts_as_message, create_bot
from handlers.core.replies import Reply
from storage.models import Address, Platform
from tests.test_ratelimit import VirtualTime, max_in_window


async def test_a_429_is_waited_out_and_the_call_succeeds(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    server.flood_next(801, retry_after=1)

    await messenger.send(Address(Platform.TELEGRAM, 801), Reply("after the flood"))

    assert server.too_many_requests == 1
    assert len(server.calls_of("sendMessage")) == 2
    assert [m.text for m in server.sent_to(801)] == ["after the flood"]


class RecordingLimiter(RateLimiter):
    """The shared limiter on virtual time, noting the moment it let each call go."""

    def __init__(self, time: VirtualTime) -> None:
        super().__init__(time.clock, time.sleep)
        self._time = time
        self.admitted: list[float] = []

    @asynccontextmanager
    async def hold(self, limits: Sequence[Limit]) -> AsyncIterator[None]:
        async with super().hold(limits):
            self.admitted.append(self._time.now)
            yield


async def test_a_burst_to_many_chats_stays_under_the_global_limit(
    server: FakeTelegramServer,
) -> None:
    limiter = RecordingLimiter(VirtualTime())
    bot = create_bot(server.token, limiter, api_base=server.base_url)
    messenger = TelegramMessenger(bot)
    try:
        await asyncio.gather(
            *(
                messenger.send(Address(Platform.TELEGRAM, 10_000 + n), Reply(f"digest {n}"))
                for n in range(60)
            )
        )
    finally:
        await bot.session.close()

    assert len(limiter.admitted) == 60
    assert max_in_window(limiter.admitted, 1.0) <= 30
    assert max(limiter.admitted) >= 1.0, "the second 30 waited for the window to move"
    assert {m.chat_id for m in server.sent} == {10_000 + n for n in range(60)}


async def test_messages_to_one_chat_are_paced(server: FakeTelegramServer) -> None:
    limiter = RecordingLimiter(VirtualTime())
    bot = create_bot(server.token, limiter, api_base=server.base_url)
    messenger = TelegramMessenger(bot)
    reader = Address(Platform.TELEGRAM, 802)
    try:
        for n in range(3):
            await messenger.send(reader, Reply(f"part {n}"))
    finally:
        await bot.session.close()

    assert all(b - a >= 1.0 for a, b in itertools.pairwise(limiter.admitted))
    assert [m.text for m in server.sent_to(802)] == ["part 0", "part 1", "part 2"]


async def test_the_enforcing_fake_does_catch_an_unpaced_burst() -> None:
    async with FakeTelegramServer(enforce_limits=True) as server:
        bot = Bot(
            server.token,
            session=AiohttpSession(api=TelegramAPIServer.from_base(server.base_url)),
        )
        try:
            results = await asyncio.gather(
                *(bot.send_message(20_000 + n, "x") for n in range(40)),
                return_exceptions=True,
            )
        finally:
            await bot.session.close()

    assert server.too_many_requests == sum(isinstance(r, Exception) for r in results) > 0


@pytest.mark.parametrize(
    ("api_method", "counted"),
    [
        ("sendMessage", True),
        ("sendDocument", True),
        ("sendMediaGroup", True),
        ("editMessageText", True),
        ("copyMessage", True),
        ("forwardMessage", True),
        ("sendChatAction", False),
        ("answerCallbackQuery", False),
        ("getUpdates", False),
        ("getFile", False),
        ("setMyCommands", False),
    ],
)
def test_which_calls_count_as_messages(api_method: str, counted: bool) -> None:
    assert counts_as_message(api_method) is counted
