"""Platform failures reach the core as neutral delivery errors."""

from __future__ import annotations

import pytest

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.ratelimit import RateLimiter
from bot.telegram import TelegramMessenger, create_bot
from handlers.core.messenger import (
    DeliveryError,
    PermanentError,
    RecipientUnreachable,
    RetryAfter,
    TransientError,
)
from handlers.core.replies import Reply
from storage.models import Address, Platform

READER = Address(Platform.TELEGRAM, 701)


@pytest.mark.parametrize(
    ("status", "expected"),
    [(403, RecipientUnreachable), (500, TransientError), (400, PermanentError)],
)
async def test_http_errors_map_to_neutral_errors(
    server: FakeTelegramServer,
    messenger: TelegramMessenger,
    status: int,
    expected: type[DeliveryError],
) -> None:
    server.fail_next(701, status=status)

    with pytest.raises(expected):
        await messenger.send(READER, Reply("Your answer is ready"))

    assert server.sent_to(701) == []


async def test_blocked_reader_error_names_the_cause(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    server.block_next(701)

    with pytest.raises(RecipientUnreachable, match="blocked"):
        await messenger.send(READER, Reply("hi"))


async def test_flood_control_past_the_retry_budget_becomes_retry_after(
    server: FakeTelegramServer,
) -> None:
    bot = create_bot(server.token, RateLimiter(), api_base=server.base_url, max_attempts=1)
    server.flood_next(701, retry_after=7)
    try:
        with pytest.raises(RetryAfter) as caught:
            await TelegramMessenger(bot).send(READER, Reply("hi"))
    finally:
        await bot.session.close()

    assert caught.value.seconds == 7


async def test_a_long_flood_wait_is_handed_back_instead_of_slept(
    server: FakeTelegramServer,
) -> None:
    bot = create_bot(server.token, RateLimiter(), api_base=server.base_url, max_wait=5)
    server.flood_next(701, retry_after=600)
    try:
        with pytest.raises(RetryAfter):
            await TelegramMessenger(bot).send(READER, Reply("hi"))
    finally:
        await bot.session.close()

    assert len(server.calls_of("sendMessage")) == 1


async def test_an_unreachable_server_is_transient() -> None:
    async with FakeTelegramServer() as server:
        base_url = server.base_url
    bot = create_bot(server.token, RateLimiter(), api_base=base_url)
    try:
        with pytest.raises(TransientError):
            await TelegramMessenger(bot).send(READER, Reply("hi"))
    finally:
        await bot.session.close()
