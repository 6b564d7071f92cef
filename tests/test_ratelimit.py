"""The shared limiter, on a virtual clock: limits hold, callers are served in order, and a
busy chat holds up nobody else."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from collections.abc import Coroutine
from typing import Any

from bot.ratelimit import RateLimiter, telegram_limits, vk_limits
from bot.vk.api import VkApi


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


class EventTime:
    """Discrete-event virtual time: each sleeper wakes at the moment it asked for, earliest
    first, and time jumps to the next wake-up only once every task has run as far as it can,
    so concurrent sleeps overlap as they do on a real clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), wake))
        await wake

    async def run(self, *work: Coroutine[Any, Any, None]) -> None:
        tasks = [asyncio.create_task(job) for job in work]
        while not all(task.done() for task in tasks):
            for _ in range(50):
                await asyncio.sleep(0)
            if self._sleepers:
                at, _, wake = heapq.heappop(self._sleepers)
                self.now = max(self.now, at)
                wake.set_result(None)
            elif not all(task.done() for task in tasks):
                raise AssertionError("every task waits and nobody sleeps: a deadlock")
        await asyncio.gather(*tasks)


async def held_calls(
    limiter: RateLimiter, time: EventTime, chats: list[int], delays: list[tuple[float, float]]
) -> list[tuple[float, float, float]]:
    """Each call goes out when admitted, reaches the platform ``delays[i][0]`` later and is
    answered ``delays[i][1]`` after that: (admitted, arrived, answered) per call."""
    calls: list[tuple[float, float, float]] = []

    async def call(chat: int, to_platform: float, back: float) -> None:
        async with limiter.hold(telegram_limits(chat)):
            admitted = time.now
            await time.sleep(to_platform)
            arrived = time.now
            await time.sleep(back)
        calls.append((admitted, arrived, time.now))

    await time.run(*(call(chat, *delay) for chat, delay in zip(chats, delays, strict=True)))
    return sorted(calls)


async def test_windows_run_from_the_answer_so_no_delay_on_the_way_breaks_a_limit() -> None:
    """The platform counts a call when it arrives; a limiter counting it when it leaves would
    let delayed calls bunch up there (with no margin: 32 in one second here)."""
    rng = random.Random(7)
    time = EventTime()
    limiter = RateLimiter(time.clock, time.sleep, margin=0.0)
    delays = [(rng.choice([0.0, 0.0, 0.3]), rng.uniform(0.0, 0.05)) for _ in range(300)]

    calls = await held_calls(limiter, time, list(range(1000, 1300)), delays)

    assert len(calls) == 300
    assert max_in_window([arrived for _, arrived, _ in calls], 1.0) <= 30


async def test_a_call_in_flight_keeps_its_chat_until_a_second_after_its_answer() -> None:
    time = EventTime()
    limiter = RateLimiter(time.clock, time.sleep, margin=0.0)

    calls = await held_calls(limiter, time, [7, 7], [(0.4, 0.1), (0.0, 0.0)])

    (_, _, first_answered), (second_admitted, _, _) = calls
    assert first_answered == 0.5
    assert second_admitted >= 1.5


async def test_thirty_calls_in_flight_hold_the_thirty_first() -> None:
    time = EventTime()
    limiter = RateLimiter(time.clock, time.sleep, margin=0.0)

    calls = await held_calls(limiter, time, list(range(31)), [(2.0, 0.0)] * 30 + [(0.0, 0.0)])

    assert max(admitted for admitted, _, _ in calls[:30]) == 0.0
    assert calls[30][0] >= 3.0


async def test_short_round_trips_keep_a_burst_near_thirty_per_second() -> None:
    """The margin is spent once per window, not per message: 300 calls with 20 ms round
    trips take about ten windows of 1.02 s plus a round trip each, not ten of 1.2 s."""
    time = EventTime()
    limiter = RateLimiter(time.clock, time.sleep)

    calls = await held_calls(limiter, time, list(range(2000, 2300)), [(0.01, 0.01)] * 300)

    last_admitted = max(admitted for admitted, _, _ in calls)
    assert 9 * 1.02 <= last_admitted < 9 * (1.02 + 0.02) + 0.1


async def test_windows_of_chats_gone_quiet_are_forgotten() -> None:
    """Memory follows the chats written to lately, not every chat ever written to."""
    time = VirtualTime()
    limiter = RateLimiter(clock=time.clock, sleep=time.sleep)
    most = 0

    for chat in range(1, 5001):
        await limiter.acquire(telegram_limits(chat))
        most = max(most, limiter.window_count())

    # A sweep every 1,000 calls keeps only the windows with a call still inside them (the
    # last second's 30 chats and the token's own), so at most about 1,000 are ever kept.
    assert most <= 1_000 + 31
    assert limiter.window_count() < most


async def test_a_new_empty_limiter_is_kept_by_whoever_is_handed_it() -> None:
    """A shared limiter with no windows yet is still a limiter: handed to the VK API it is
    the one used, not swapped for a private one (which let two limiters each allow VK's
    20/s and the fan-out test meet error 6)."""
    shared = RateLimiter()
    assert shared
    api = VkApi("token", limiter=shared)
    try:
        assert api.limiter is shared
    finally:
        await api.http.close()
