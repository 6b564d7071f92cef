"""The rate limiters shared between processes decide like the in-process one, under a clock
the test moves: on Redis (skipped when none answers) and on PostgreSQL (skipped without
``TEST_DATABASE_URL``). Two limiter objects on one store stand for two processes."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack

import pytest

from bot.ops.limiters import (
    IN_FLIGHT_SECONDS,
    PostgresRateLimiter,
    RedisRateLimiter,
    Window,
    _SharedLimiter,
    token_namespace,
    window_key,
)
from bot.ratelimit import DEFAULT_MARGIN_SECONDS, Limit, telegram_limits
from storage.database import async_url, create_engine
from storage.migrate import upgrade
from tests.ops.conftest import POSTGRES_ENV, admin
from tests.ops.redis_windows import TrackedRedisLimiter, delete_windows

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PERIOD = 1.0 + DEFAULT_MARGIN_SECONDS  # Telegram's second plus the limiter's margin

Shared = RedisRateLimiter | PostgresRateLimiter
Make = Callable[[str], Shared]


class FakeTime:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def time_() -> FakeTime:
    return FakeTime()


@pytest.fixture(params=["redis", "postgresql"])
async def make(request: pytest.FixtureRequest, time_: FakeTime) -> AsyncIterator[Make]:
    if request.param == "redis":
        from redis.asyncio import Redis
        from redis.exceptions import RedisError

        client = Redis.from_url(REDIS_URL)
        try:
            await client.ping()
        except (RedisError, OSError):
            await client.aclose()
            pytest.skip(f"no Redis answers at {REDIS_URL}")
        created: list[TrackedRedisLimiter] = []

        def on_redis(namespace: str) -> Shared:
            limiter = TrackedRedisLimiter(client, namespace, clock=time_, sleep=time_.sleep)
            created.append(limiter)
            return limiter

        yield on_redis
        await delete_windows(client, created)
        await client.aclose()
        return
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"set {POSTGRES_ENV} to run the PostgreSQL half")
    name = f"ops_limits_{uuid.uuid4().hex[:12]}"
    await admin(f'CREATE DATABASE "{name}"')
    url = async_url(os.environ[POSTGRES_ENV]).set(database=name)
    await upgrade(url.render_as_string(hide_password=False))
    engine = create_engine(url)

    def on_postgres(namespace: str) -> Shared:
        return PostgresRateLimiter(engine, namespace, clock=time_, sleep=time_.sleep)

    yield on_postgres
    await engine.dispose()
    await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_namespace() -> str:
    return token_namespace(f"token-{uuid.uuid4()}")


async def test_thirty_a_second_then_a_wait_until_the_first_leaves_the_window(
    make: Make, time_: FakeTime
) -> None:
    limiter = make(fresh_namespace())
    limits = telegram_limits(None)
    for _ in range(30):
        assert await limiter.try_acquire(limits) == 0
    time_.now += 0.5

    assert await limiter.try_acquire(limits) == pytest.approx(PERIOD - 0.5)

    time_.now += PERIOD - 0.5
    assert await limiter.try_acquire(limits) == 0


async def test_two_processes_share_one_tokens_limits(make: Make, time_: FakeTime) -> None:
    namespace = fresh_namespace()
    first, second = make(namespace), make(namespace)
    limits = telegram_limits(None)
    for index in range(30):
        assert await (first if index % 2 else second).try_acquire(limits) == 0

    assert await first.try_acquire(limits) > 0
    assert await second.try_acquire(limits) > 0
    # Another token is not held back.
    assert await make(fresh_namespace()).try_acquire(limits) == 0


async def test_one_message_a_second_per_chat_across_processes(make: Make, time_: FakeTime) -> None:
    namespace = fresh_namespace()
    first, second = make(namespace), make(namespace)
    assert await first.try_acquire(telegram_limits(7001)) == 0
    assert await second.try_acquire(telegram_limits(7001)) == pytest.approx(PERIOD)
    assert await second.try_acquire(telegram_limits(7002)) == 0


async def test_a_refused_call_counts_against_no_limit(make: Make, time_: FakeTime) -> None:
    limiter = make(fresh_namespace())
    assert await limiter.try_acquire(telegram_limits(7001)) == 0
    for _ in range(40):
        assert await limiter.try_acquire(telegram_limits(7001)) > 0
    # The forty refusals did not use up the token's 30 a second.
    for chat in range(29):
        assert await limiter.try_acquire(telegram_limits(8000 + chat)) == 0
    assert await limiter.try_acquire(telegram_limits(9999)) > 0


async def test_acquire_sleeps_the_time_the_window_asks(make: Make, time_: FakeTime) -> None:
    limiter = make(fresh_namespace())
    limits = [Limit("global", 20, 1.0)]
    for _ in range(21):
        await limiter.acquire(limits)

    assert len(time_.slept) == 1
    assert time_.slept[0] == pytest.approx(PERIOD + 0.001)


def test_window_keys_name_no_token_and_no_chat() -> None:
    token = "123456789:AAE-secret"
    key = window_key(token_namespace(token), "chat:5001")
    assert "5001" not in key and "secret" not in key and "123456789" not in key


async def test_a_call_in_flight_holds_its_slot_and_its_window_runs_from_its_end(
    make: Make, time_: FakeTime
) -> None:
    # The platform counts a call when it arrives, somewhere between admission and answer:
    # a process whose request is delayed after admission must not leave room for another.
    namespace = fresh_namespace()
    first, second = make(namespace), make(namespace)
    async with first.hold(telegram_limits(7001)):
        time_.now += 5.0
        assert await second.try_acquire(telegram_limits(7001)) == pytest.approx(PERIOD)
        assert await second.try_acquire(telegram_limits(7002)) == 0
    time_.now += PERIOD - 0.1
    assert await second.try_acquire(telegram_limits(7001)) == pytest.approx(0.1, abs=1e-3)
    time_.now += 0.1 + 1e-6  # past float rounding of Unix-sized times
    assert await second.try_acquire(telegram_limits(7001)) == 0


async def test_thirty_calls_in_flight_fill_the_tokens_second(make: Make, time_: FakeTime) -> None:
    namespace = fresh_namespace()
    first, second = make(namespace), make(namespace)
    limits = telegram_limits(None)
    async with AsyncExitStack() as flights:
        for index in range(30):
            await flights.enter_async_context((first if index % 2 else second).hold(limits))
        time_.now += 3.0
        assert await first.try_acquire(limits) == pytest.approx(PERIOD)
    time_.now += PERIOD
    assert await first.try_acquire(limits) == 0


async def test_a_call_lost_with_its_process_frees_its_slot_after_the_deadline(
    make: Make, time_: FakeTime
) -> None:
    namespace = fresh_namespace()
    limiter, other = make(namespace), make(namespace)
    # Admitted, then the process dies: nobody ever ends the call.
    holding = limiter.hold(telegram_limits(7001))
    await holding.__aenter__()
    time_.now += IN_FLIGHT_SECONDS - 1
    assert await other.try_acquire(telegram_limits(7001)) > 0
    time_.now += 1 + PERIOD
    assert await other.try_acquire(telegram_limits(7001)) == 0


async def test_a_cancelled_call_still_ends(make: Make, time_: FakeTime) -> None:
    namespace = fresh_namespace()
    limiter = make(namespace)
    entered = asyncio.Event()

    async def send() -> None:
        async with limiter.hold(telegram_limits(7001)):
            entered.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(send())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    time_.now += PERIOD
    assert await make(namespace).try_acquire(telegram_limits(7001)) == 0


class _StoreGoneAtTheEnd(_SharedLimiter[str]):
    async def _admit(self, windows: Sequence[Window]) -> tuple[float, str | None]:
        return 0.0, "call"

    async def _finish(self, windows: Sequence[Window], call: str) -> None:
        raise ConnectionError("the store stopped answering")


async def test_a_call_that_went_through_is_not_failed_by_the_store(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Raising would make the caller send the message again.
    limiter = _StoreGoneAtTheEnd(fresh_namespace())
    sent = False
    async with limiter.hold(telegram_limits(7001)):
        sent = True
    assert sent
    assert "could not record the end of a call" in caplog.text
