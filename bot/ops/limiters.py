"""Rate limiters whose windows are shared by every process using one token.

Both keep :class:`bot.ratelimit.RateLimiter`'s contract (``acquire(limits)`` waits until every
limit allows one more call, then counts it against all of them) and take a clock and a sleep,
so their decisions are tested without wall time. The clock is Unix time by default, not the
monotonic clock: the windows are compared between processes.

A window's key is a hash of the token and the limit's own key (which may name a chat), so
neither a token nor a chat id is written to Redis or to the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.ratelimit import DEFAULT_MARGIN_SECONDS, Limit
from storage.schema import rate_limit_calls

Sleep = Callable[[float], Awaitable[None]]

_ACQUIRE_SCRIPT = """
-- KEYS: one sorted set per limit; ARGV: now, member, then (calls, period) per key.
local now = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local calls = tonumber(ARGV[1 + 2 * i])
  local period = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
  if redis.call('ZCARD', key) >= calls then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    local until_free = tonumber(oldest[2]) + period - now
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('PEXPIRE', key, math.ceil(tonumber(ARGV[2 + 2 * i]) * 1000) + 1000)
end
return '0'
"""


def window_key(namespace: str, limit_key: str) -> str:
    """The shared name of one limit's window: no token, no chat id in clear."""
    digest = hashlib.sha256(f"{namespace}\x00{limit_key}".encode()).hexdigest()[:32]
    return f"ratelimit:{digest}"


def token_namespace(token: str) -> str:
    """Names a token's windows without revealing it."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class _SharedLimiter(ABC):
    def __init__(
        self,
        namespace: str,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
        margin: float = DEFAULT_MARGIN_SECONDS,
    ) -> None:
        self._namespace = namespace
        self._clock = clock
        self._sleep = sleep
        self._margin = margin
        self._sequence = 0

    async def acquire(self, limits: Sequence[Limit]) -> None:
        while True:
            wait = await self.try_acquire(limits)
            if wait <= 0:
                return
            await self._sleep(wait + 0.001)

    @abstractmethod
    async def try_acquire(self, limits: Sequence[Limit]) -> float:
        """Count one call if every limit has room and return 0; otherwise count nothing and
        return how long to wait before trying again."""

    def _windows(self, limits: Sequence[Limit]) -> list[tuple[str, Limit, float]]:
        return [
            (window_key(self._namespace, limit.key), limit, limit.period + self._margin)
            for limit in limits
        ]

    def _member(self) -> str:
        """Unique per call, so that two calls at the same instant both count."""
        self._sequence += 1
        return f"{id(self):x}:{self._sequence}:{time.perf_counter_ns()}"


class RedisRateLimiter(_SharedLimiter):
    """Sliding windows as Redis sorted sets, checked and counted by one Lua script, so that
    the check and the count are atomic across processes."""

    def __init__(self, redis: Any, namespace: str, **options: Any) -> None:
        """``redis`` is a ``redis.asyncio.Redis``; the caller owns and closes it."""
        super().__init__(namespace, **options)
        self._script = redis.register_script(_ACQUIRE_SCRIPT)

    async def try_acquire(self, limits: Sequence[Limit]) -> float:
        windows = self._windows(limits)
        arguments: list[float | str] = [self._clock(), self._member()]
        for _, limit, period in windows:
            arguments += [limit.calls, period]
        answer = await self._script(keys=[key for key, _, _ in windows], args=arguments)
        return float(answer)


class PostgresRateLimiter(_SharedLimiter):
    """Sliding windows as rows of ``rate_limit_calls``. One transaction per attempt takes a
    transaction-level advisory lock per window (in a fixed order, so two processes never
    deadlock), prunes, counts and records."""

    def __init__(self, engine: AsyncEngine, namespace: str, **options: Any) -> None:
        super().__init__(namespace, **options)
        self._engine = engine

    async def try_acquire(self, limits: Sequence[Limit]) -> float:
        windows = sorted(self._windows(limits), key=lambda window: window[0])
        now = self._clock()
        async with self._engine.begin() as connection:
            for key, _, _ in windows:
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key}
                )
            wait = 0.0
            for key, limit, period in windows:
                wait = max(wait, await self._room(connection, key, limit.calls, period, now))
            if wait > 0:
                return wait
            await connection.execute(
                insert(rate_limit_calls), [{"key": key, "at": now} for key, _, _ in windows]
            )
        return 0.0

    @staticmethod
    async def _room(
        connection: AsyncConnection, key: str, calls: int, period: float, now: float
    ) -> float:
        table = rate_limit_calls
        await connection.execute(
            delete(table).where(table.c.key == key, table.c.at <= now - period)
        )
        count, oldest = (
            await connection.execute(
                select(func.count(), func.min(table.c.at)).where(table.c.key == key)
            )
        ).one()
        if count < calls or oldest is None:
            return 0.0
        return float(oldest) + period - now
