"""Sliding-window rate limits shared by every call made with one bot token."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

DEFAULT_MARGIN_SECONDS = 0.2
"""Added to every window: this process's limiter counts a call when it is admitted, but the
platform counts it when it arrives, and network or CPU jitter between the two must not push a
window over (the shared limiters hold the call until its answer instead, see
:mod:`bot.ops.limiters`). With it a
token sends at most 25 messages/s to Telegram (30 per 1.2 s), the pace commonly advised for
bulk sending, and 16.7 requests/s to VK."""

_SWEEP_EVERY = 1000


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``calls`` calls within any ``period`` seconds, counted under ``key``."""

    key: str
    calls: int
    period: float


class Limiter(Protocol):
    """What callers of a token need: wait until one more call is allowed under every limit.

    :class:`RateLimiter` keeps the windows in this process; :mod:`bot.ops.limiters` keeps
    them in Redis or PostgreSQL, shared by every process using the token.
    """

    def hold(self, limits: Sequence[Limit]) -> AbstractAsyncContextManager[None]:
        """Wait until every limit allows one more call, count it, and keep it counted while
        the body makes it. A shared limiter counts the call until the body ends and runs its
        windows from there, because the platform sees the call somewhere in between."""
        ...


class RateLimiter:
    """Waits until every given limit allows one more call, then counts it against all of them.

    Callers queue per key, first come first served, and only the head of each queue sleeps,
    so a burst of a thousand callers does not wake a thousand tasks each time a slot frees.
    Limits are taken in the order given: pass the narrowest (one chat) first and the shared
    one (the whole token) last, so that a caller waiting for a busy chat never holds up
    callers bound for other chats.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        margin: float = DEFAULT_MARGIN_SECONDS,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._margin = margin
        self._windows: dict[str, tuple[float, deque[float]]] = {}
        self._queues: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._since_sweep = 0

    @asynccontextmanager
    async def hold(self, limits: Sequence[Limit]) -> AsyncIterator[None]:
        """Counts the call when it is admitted, as :meth:`acquire` does."""
        await self.acquire(limits)
        yield

    async def acquire(self, limits: Sequence[Limit]) -> None:
        async with AsyncExitStack() as queues:
            for limit in limits:
                await queues.enter_async_context(self._queue(limit.key))
                await self._wait_for_room(limit)
            now = self._clock()
            for limit in limits:
                self._window(limit)[1].append(now)
        self._since_sweep += 1
        if self._since_sweep >= _SWEEP_EVERY:
            self._sweep()

    def _queue(self, key: str) -> asyncio.Lock:
        lock = self._queues.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._queues[key] = lock
        return lock

    def _window(self, limit: Limit) -> tuple[float, deque[float]]:
        window = self._windows.get(limit.key)
        if window is None:
            window = (limit.period + self._margin, deque())
            self._windows[limit.key] = window
        return window

    async def _wait_for_room(self, limit: Limit) -> None:
        """Only this key's queue head gets here, and nobody else records under the key until
        it is done, so the room it finds is still there when it records."""
        period, calls = self._window(limit)
        while True:
            now = self._clock()
            while calls and calls[0] <= now - period:
                calls.popleft()
            if len(calls) < limit.calls:
                return
            await self._sleep(calls[0] + period - now + 0.001)

    def _sweep(self) -> None:
        """Drop windows with no call inside them, so memory does not grow with chat count."""
        self._since_sweep = 0
        now = self._clock()
        idle = [
            k
            for k, (period, calls) in self._windows.items()
            if not calls or calls[-1] <= now - period
        ]
        for key in idle:
            del self._windows[key]


def telegram_limits(chat_id: int | str | None) -> list[Limit]:
    """Telegram's published limits, narrowest first: 1 message/s per chat, 20/min per group,
    30/s in all."""
    limits = []
    if chat_id is not None:
        limits.append(Limit(f"chat:{chat_id}", 1, 1.0))
        if _is_group(chat_id):
            limits.append(Limit(f"group:{chat_id}", 20, 60.0))
    limits.append(Limit("global", 30, 1.0))
    return limits


def vk_limits() -> list[Limit]:
    """VK's limit for a community token: 20 requests/s."""
    return [Limit("global", 20, 1.0)]


def vk_user_limits() -> list[Limit]:
    """VK's limit for a user token (the wall poster's): 3 requests/s."""
    return [Limit("global", 3, 1.0)]


def _is_group(chat_id: int | str) -> bool:
    if isinstance(chat_id, str):
        return chat_id.startswith("@") or chat_id.startswith("-")
    return chat_id < 0
