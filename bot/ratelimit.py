"""Sliding-window rate limits shared by every call made with one bot token."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

DEFAULT_MARGIN_SECONDS = 0.02
"""Added to every window. Every limiter runs a call's windows from the call's end (its
answer), not from its start: the platform counts the call when it arrives, somewhere between
the two, so however long the request was delayed on the way (network, or a loaded CPU), the
platform's window has run by the time ours has. No jitter needs to be covered by a margin,
and this one only covers timer resolution and clock drift over one window. A call therefore
costs its window plus its own round trip: at 40 ms a token sends 28.3 messages/s to Telegram,
with no 429, on however loaded a machine."""

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


@dataclass(slots=True)
class _Window:
    period: float
    ended: deque[float]
    """When the calls still inside the window ended, oldest first."""
    in_flight: int = 0
    """Calls admitted and not yet ended: they count, and their window has not started yet."""
    call_ended: asyncio.Event = field(default_factory=asyncio.Event)


class RateLimiter:
    """Waits until every given limit allows one more call, then counts it against all of them.

    A call counts from its admission, and its window runs from its end (see
    :data:`DEFAULT_MARGIN_SECONDS`). Callers queue per key, first come first served, and only
    the head of each queue sleeps, so a burst of a thousand callers does not wake a thousand
    tasks each time a slot frees. Limits are taken in the order given: pass the narrowest (one
    chat) first and the shared one (the whole token) last, so that a caller waiting for a busy
    chat never holds up callers bound for other chats.
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
        self._windows: dict[str, _Window] = {}
        self._queues: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._since_sweep = 0

    def window_count(self) -> int:
        """How many windows (chats, groups and the token's own) it keeps.

        A method, not ``__len__``: an empty limiter must stay truthy, or ``limiter or
        RateLimiter()`` would swap a shared one for a private one."""
        return len(self._windows)

    @asynccontextmanager
    async def hold(self, limits: Sequence[Limit]) -> AsyncIterator[None]:
        """Count the call from its admission; its windows run from the end of the body,
        however the body ends (a failed request may still have reached the platform)."""
        windows = await self._admit(limits)
        try:
            yield
        finally:
            self._end(windows)

    async def acquire(self, limits: Sequence[Limit]) -> None:
        """Count a call made at once, as if it ended when admitted."""
        self._end(await self._admit(limits))

    async def _admit(self, limits: Sequence[Limit]) -> list[_Window]:
        async with AsyncExitStack() as queues:
            for limit in limits:
                await queues.enter_async_context(self._queue(limit.key))
                await self._wait_for_room(limit)
            windows = [self._window(limit) for limit in limits]
            for window in windows:
                window.in_flight += 1
        self._since_sweep += 1
        if self._since_sweep >= _SWEEP_EVERY:
            self._sweep()
        return windows

    def _end(self, windows: list[_Window]) -> None:
        now = self._clock()
        for window in windows:
            window.in_flight -= 1
            window.ended.append(now)
            window.call_ended.set()

    def _queue(self, key: str) -> asyncio.Lock:
        lock = self._queues.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._queues[key] = lock
        return lock

    def _window(self, limit: Limit) -> _Window:
        window = self._windows.get(limit.key)
        if window is None:
            window = _Window(limit.period + self._margin, deque())
            self._windows[limit.key] = window
        return window

    async def _wait_for_room(self, limit: Limit) -> None:
        """Only this key's queue head gets here, and nobody else is admitted under the key
        until it is done, so the room it finds is still there when it is admitted."""
        window = self._window(limit)
        while True:
            now = self._clock()
            while window.ended and window.ended[0] <= now - window.period:
                window.ended.popleft()
            if len(window.ended) + window.in_flight < limit.calls:
                return
            if window.ended:
                await self._sleep(window.ended[0] + window.period - now + 0.001)
            else:
                # Every slot is a call still in flight: room comes a window after one ends.
                window.call_ended.clear()
                await window.call_ended.wait()

    def _sweep(self) -> None:
        """Drop windows with no call inside them, so memory does not grow with chat count."""
        self._since_sweep = 0
        now = self._clock()
        idle = [
            key
            for key, window in self._windows.items()
            if not window.in_flight
            and (not window.ended or window.ended[-1] <= now - window.period)
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
