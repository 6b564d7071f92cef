"""A messenger paced by the real rate limiter on virtual time, so that a test can hold a
destination at its platform budget without waiting for the wall clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.ratelimit import RateLimiter, telegram_limits
from handlers.core.replies import Reply
from storage.models import Address, Platform
from tests.outbox.fakes import ManualClock, ScriptedMessenger


class VirtualTime:
    """Drives a ``ManualClock``; ``sleep`` returns only once ``advance`` has moved the clock
    far enough."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self._start = clock.now
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def monotonic(self) -> float:
        return (self.clock.now - self._start).total_seconds()

    async def sleep(self, seconds: float) -> None:
        wake = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.monotonic() + seconds, wake))
        await wake

    async def advance(self, seconds: float) -> None:
        """Move the clock, wake the sleepers that are due, and let them run."""
        self.clock.now += timedelta(seconds=seconds)
        now = self.monotonic()
        due = [(at, wake) for at, wake in self._sleepers if at <= now]
        self._sleepers = [entry for entry in self._sleepers if entry not in due]
        for _, wake in due:
            wake.set_result(None)
        for _ in range(20):
            await asyncio.sleep(0)


class PacedTelegram(ScriptedMessenger):
    """A Telegram messenger that waits on Telegram's limits, as the real adapter does (1
    message/s per chat, 20/min per group, 30/s in all), counted on virtual time."""

    def __init__(self, time: VirtualTime) -> None:
        super().__init__(Platform.TELEGRAM)
        self.limiter = RateLimiter(clock=time.monotonic, sleep=time.sleep)

    async def spend_group_budget(self, chat: Address) -> None:
        """Count a group's whole minute budget as spent at the current moment."""
        (group,) = [limit for limit in telegram_limits(chat.peer_id) if limit.period == 60]
        for _ in range(group.calls):
            await self.limiter.acquire([group])

    async def send(self, to: Address, reply: Reply, *, idempotency_key: str | None = None) -> int:
        await self.limiter.acquire(telegram_limits(to.peer_id))
        return await super().send(to, reply, idempotency_key=idempotency_key)

    async def edit(self, to: Address, message_id: int, reply: Reply) -> None:
        await self.limiter.acquire(telegram_limits(to.peer_id))
        await super().edit(to, message_id, reply)
