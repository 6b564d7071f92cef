"""Rate limiters whose windows are shared by every process using one token.

Both keep :class:`bot.ratelimit.Limiter`'s contract and take a clock and a sleep, so their
decisions are tested without wall time. The clock is Unix time by default, not the monotonic
clock: the windows are compared between processes.

A call made through :meth:`hold` is counted from the moment it is admitted until it ends,
and its window runs from its end. The platform counts a call when the request arrives, which
is somewhere between the two: so no delay between admission and arrival (a busy event loop,
a slow network, a process paused by the kernel) can make the platform see more calls in a
window than the limiter admitted. Counting from admission alone, two loaded processes sent
bursts that Telegram's window refused.

A window's key is a hash of the token and the limit's own key (which may name a chat), so
neither a token nor a chat id is written to Redis or to the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.ratelimit import DEFAULT_MARGIN_SECONDS, Limit
from storage.schema import rate_limit_calls

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

IN_FLIGHT_SECONDS = 90.0
"""How long a call counts as in flight at most. Longer than any request's timeout (Telegram's
60 s, VK's 30 s), so a live call is never dropped; a call whose process was killed mid-flight
holds its slot no longer than this."""

_ADMIT_SCRIPT = """
-- KEYS: one sorted set per limit; ARGV: now, member, in-flight deadline, then (calls, period)
-- per key. A member's score is the end of its call, or the deadline while it is in flight.
local now = tonumber(ARGV[1])
local deadline = tonumber(ARGV[3])
local wait = 0
for i, key in ipairs(KEYS) do
  local calls = tonumber(ARGV[2 + 2 * i])
  local period = tonumber(ARGV[3 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
  if redis.call('ZCARD', key) >= calls then
    local oldest = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
    local until_free = math.min(oldest, now) + period - now
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  local period = tonumber(ARGV[3 + 2 * i])
  redis.call('ZADD', key, deadline, ARGV[2])
  redis.call('PEXPIRE', key, math.ceil((deadline - now + period) * 1000) + 1000, 'GT')
  if redis.call('TTL', key) < 0 then
    redis.call('PEXPIRE', key, math.ceil((deadline - now + period) * 1000) + 1000)
  end
end
return '0'
"""

_FINISH_SCRIPT = """
-- KEYS: the call's sorted sets; ARGV: the end of the call, member. XX: a call already pruned
-- (presumed lost) is not brought back.
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', ARGV[1], ARGV[2])
end
return 0
"""


Call = TypeVar("Call")
"""What one admitted call needs to be ended: its Redis member, or its rows' ids."""

Window = tuple[str, Limit, float]
"""A limit's shared key, the limit, and its period with the margin."""


def window_key(namespace: str, limit_key: str) -> str:
    """The shared name of one limit's window: no token, no chat id in clear."""
    digest = hashlib.sha256(f"{namespace}\x00{limit_key}".encode()).hexdigest()[:32]
    return f"ratelimit:{digest}"


def token_namespace(token: str) -> str:
    """Names a token's windows without revealing it."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class _SharedLimiter(ABC, Generic[Call]):
    def __init__(
        self,
        namespace: str,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
        margin: float = DEFAULT_MARGIN_SECONDS,
        in_flight: float = IN_FLIGHT_SECONDS,
    ) -> None:
        self._namespace = namespace
        self._clock = clock
        self._sleep = sleep
        self._margin = margin
        self._in_flight = in_flight
        self._sequence = 0

    @asynccontextmanager
    async def hold(self, limits: Sequence[Limit]) -> AsyncIterator[None]:
        windows = self._windows(limits)
        while True:
            wait, call = await self._admit(windows)
            if call is not None:
                break
            await self._sleep(wait + 0.001)
        try:
            yield
        finally:
            # Shielded: a cancelled sender must still end its call, or the call would hold
            # its slot (for a chat: the chat) until the in-flight deadline.
            await asyncio.shield(self._finish_quietly(windows, call))

    async def acquire(self, limits: Sequence[Limit]) -> None:
        """Count a call made at once, as if it ended when admitted."""
        async with self.hold(limits):
            pass

    async def try_acquire(self, limits: Sequence[Limit]) -> float:
        """One attempt at :meth:`acquire`: count the call if every limit has room and return
        0; otherwise count nothing and return how long to wait before trying again."""
        windows = self._windows(limits)
        wait, call = await self._admit(windows)
        if call is None:
            return wait
        await self._finish(windows, call)
        return 0.0

    async def _finish_quietly(self, windows: Sequence[Window], call: Call) -> None:
        """End the call; if the store does not answer, the call stays counted until its
        in-flight deadline. The request itself went through: failing it here would make the
        caller send it again."""
        try:
            await self._finish(windows, call)
        except Exception as error:
            # The type only: a store's message may carry its address.
            log.warning("rate limiter: could not record the end of a call (%s)", type(error))

    @abstractmethod
    async def _admit(self, windows: Sequence[Window]) -> tuple[float, Call | None]:
        """Record a call in flight if every window has room; otherwise how long to wait."""

    @abstractmethod
    async def _finish(self, windows: Sequence[Window], call: Call) -> None:
        """Mark the call ended now: its windows run from here."""

    def _windows(self, limits: Sequence[Limit]) -> list[Window]:
        return [
            (window_key(self._namespace, limit.key), limit, limit.period + self._margin)
            for limit in limits
        ]

    def _member(self) -> str:
        """Unique per call, so that two calls at the same instant both count."""
        self._sequence += 1
        return f"{id(self):x}:{self._sequence}:{time.perf_counter_ns()}"


class RedisRateLimiter(_SharedLimiter[str]):
    """Sliding windows as Redis sorted sets, checked and counted by one Lua script, so that
    the check and the count are atomic across processes."""

    def __init__(self, redis: Any, namespace: str, **options: Any) -> None:
        """``redis`` is a ``redis.asyncio.Redis``; the caller owns and closes it."""
        super().__init__(namespace, **options)
        self._admit_script = redis.register_script(_ADMIT_SCRIPT)
        self._finish_script = redis.register_script(_FINISH_SCRIPT)

    async def _admit(self, windows: Sequence[Window]) -> tuple[float, str | None]:
        now = self._clock()
        member = self._member()
        arguments: list[float | str] = [now, member, now + self._in_flight]
        for _, limit, period in windows:
            arguments += [limit.calls, period]
        answer = await self._admit_script(keys=[key for key, _, _ in windows], args=arguments)
        wait = float(answer)
        return (wait, None) if wait > 0 else (0.0, member)

    async def _finish(self, windows: Sequence[Window], call: str) -> None:
        keys = [key for key, _, _ in windows]
        await self._finish_script(keys=keys, args=[self._clock(), call])


class PostgresRateLimiter(_SharedLimiter[list[int]]):
    """Sliding windows as rows of ``rate_limit_calls``, whose ``at`` is the end of the call,
    or its in-flight deadline until it ends. One transaction per attempt takes a
    transaction-level advisory lock per window (in a fixed order, so two processes never
    deadlock), prunes, counts and records."""

    def __init__(self, engine: AsyncEngine, namespace: str, **options: Any) -> None:
        super().__init__(namespace, **options)
        self._engine = engine

    async def _admit(self, windows: Sequence[Window]) -> tuple[float, list[int] | None]:
        ordered = sorted(windows, key=lambda window: window[0])
        now = self._clock()
        async with self._engine.begin() as connection:
            for key, _, _ in ordered:
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key}
                )
            wait = 0.0
            for key, limit, period in ordered:
                wait = max(wait, await self._room(connection, key, limit.calls, period, now))
            if wait > 0:
                return wait, None
            deadline = now + self._in_flight
            ids = [
                (
                    await connection.execute(
                        insert(rate_limit_calls)
                        .values(key=key, at=deadline)
                        .returning(rate_limit_calls.c.id)
                    )
                ).scalar_one()
                for key, _, _ in ordered
            ]
        return 0.0, ids

    async def _finish(self, windows: Sequence[Window], call: list[int]) -> None:
        table = rate_limit_calls
        async with self._engine.begin() as connection:
            await connection.execute(
                update(table).where(table.c.id.in_(call)).values(at=self._clock())
            )

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
        # A call in flight frees its slot a period after it ends, and it has not ended yet.
        return min(float(oldest), now) + period - now
