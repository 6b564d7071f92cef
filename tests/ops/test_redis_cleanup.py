"""The Redis limiter tests clean up their own windows and leave everyone else's: the
two-process test's bots, running beside them on the same Redis, keep live windows there."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.ops.limiters import RedisRateLimiter, token_namespace, window_key
from bot.ratelimit import telegram_limits
from tests.ops.redis_windows import TrackedRedisLimiter, delete_windows
from tests.ops.test_shared_limiters import REDIS_URL


@pytest.fixture
async def redis() -> AsyncIterator[Any]:
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (RedisError, OSError):
        await client.aclose()
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    yield client
    await client.aclose()


def fresh_namespace(name: str) -> str:
    return token_namespace(f"{name}-{uuid.uuid4()}")


async def test_a_test_deletes_its_own_windows_and_not_another_processes(redis: Any) -> None:
    bystander_namespace = fresh_namespace("bystander")
    bystander = RedisRateLimiter(redis, bystander_namespace)
    tested = TrackedRedisLimiter(redis, fresh_namespace("tested"))
    await bystander.acquire(telegram_limits(None))
    await tested.acquire(telegram_limits(7001))
    bystanders_window = window_key(bystander_namespace, "global")
    try:
        await delete_windows(redis, [tested])

        assert tested.keys, "the tested limiter counted in windows"
        assert await redis.exists(*tested.keys) == 0
        assert await redis.exists(bystanders_window) == 1
    finally:
        await redis.delete(bystanders_window)
