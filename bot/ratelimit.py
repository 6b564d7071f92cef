"""Sliding-window rate limits shared by every call made with one bot token."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``calls`` calls within any ``period`` seconds, counted under ``key``."""

    key: str
    calls: int
    period: float


class RateLimiter:
    """Waits until every given limit allows one more call, then counts it against all of them.

    Checking and recording happen without an ``await`` in between, so concurrent callers in one
    event loop never overshoot a window. A caller waiting on a busy chat does not hold up callers
    bound for other chats.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._windows: dict[str, deque[float]] = {}

    def _wait_needed(self, limits: Sequence[Limit], now: float) -> float:
        wait = 0.0
        for limit in limits:
            window = self._windows.get(limit.key)
            if window is None:
                continue
            while window and window[0] <= now - limit.period:
                window.popleft()
            if len(window) >= limit.calls:
                wait = max(wait, window[0] + limit.period - now)
        return wait

    async def acquire(self, limits: Sequence[Limit]) -> None:
        while True:
            now = self._clock()
            wait = self._wait_needed(limits, now)
            if wait <= 0:
                for limit in limits:
                    self._windows.setdefault(limit.key, deque()).append(now)
                return
            await self._sleep(wait + 0.001)

    def forget_idle(self) -> None:
        """Drop windows with no recent calls, so that memory does not grow with chat count."""
        now = self._clock()
        for key in [k for k, w in self._windows.items() if not w or w[-1] < now - 3600]:
            del self._windows[key]


def telegram_limits(chat_id: int | str | None) -> list[Limit]:
    """Telegram's published limits: 30 messages/s in all, 1/s per chat, 20/min per group."""
    limits = [Limit("global", 30, 1.0)]
    if chat_id is None:
        return limits
    limits.append(Limit(f"chat:{chat_id}", 1, 1.0))
    if _is_group(chat_id):
        limits.append(Limit(f"group:{chat_id}", 20, 60.0))
    return limits


def vk_limits() -> list[Limit]:
    """VK's limit for a community token: 20 requests/s."""
    return [Limit("global", 20, 1.0)]


def _is_group(chat_id: int | str) -> bool:
    if isinstance(chat_id, str):
        return chat_id.startswith("@") or chat_id.startswith("-")
    return chat_id < 0
