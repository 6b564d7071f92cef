"""The shared limiter, on a virtual clock: limits hold, callers are served in order, and a
busy chat holds up nobody else."""

from __future__ import annotations

import asyncio
import itertools

from bot.ratelimit import RateLimiter, telegram_limits, vk_limits


class VirtualTime:
    """A clock that only moves when every task is asleep on it."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)
        self.now = max(self.now, self.now + seconds)
        await asyncio.sleep(0)


def max_in_window(times: list[float], period: float) -> int:
    ordered = sorted(times)
    return max(sum(1 for t in ordered if start <= t < start + period) for start in ordered)


async def run_calls(
    limiter: RateLimiter, time: VirtualTime, chats: list[int]
) -> list[tuple[int, float]]:
    done: list[tuple[int, float]] = []

    async def call(index: int, chat: int) -> None:
        await limiter.acquire(telegram_limits(chat))
        done.append((index, time.now))

    await asyncio.gather(*(call(i, chat) for i, chat in enumerate(chats)))
    return done


async def test_a_burst_to_distinct_chats_stays_under_30_per_second_in_order() -> None:
    time = VirtualTime()
    limiter = RateLimiter(time.clock, time.sleep)
    done = await run_calls(limiter, time, list(range(1000, 1200)))
    assert len(done) == 200
    assert max_in_window([t for _, t in done], 1.0) <= 30
    assert [i for i, _ in done] == list(range(200)), "first come, first served"


async def test_one_chat_gets_one_message_per_second() -> None:
    time = VirtualTime()
    limiter = RateLimiter(time.clock, time.sleep)
    done = await run_calls(limiter, time, [7] * 5)
    times = [t for _, t in done]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))


async def test_a_busy_chat_does_not_hold_up_other_chats() -> None:
    time = VirtualTime()
    limiter = RateLimiter(time.clock, time.sleep)
    done = await run_calls(limiter, time, [7, 7, 7, 8, 9])
    finished = dict(done)
    assert finished[3] < 1.0 and finished[4] < 1.0
    assert finished[2] >= 2.0


async def test_a_group_gets_at_most_20_per_minute() -> None:
    time = VirtualTime()
    limiter = RateLimiter(time.clock, time.sleep, margin=0.0)
    done = await run_calls(limiter, time, [-100123] * 25)
    times = [t for _, t in done]
    assert max_in_window(times, 60.0) <= 20
    assert times[20] >= 60.0


async def test_vk_token_gets_at_most_20_requests_per_second() -> None:
    time = VirtualTime()
    limiter = RateLimiter(time.clock, time.sleep)
    stamps: list[float] = []

    async def call() -> None:
        await limiter.acquire(vk_limits())
        stamps.append(time.now)

    await asyncio.gather(*(call() for _ in range(100)))
    assert max_in_window(stamps, 1.0) <= 20
