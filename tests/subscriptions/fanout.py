"""One announcement fanned out to many subscribers, on both platforms at once, through the
real planner, outbox, sender and adapters against fake servers that enforce the platforms'
limits. Used by the fan-out test (on virtual time) and by ``bench/fanout.py`` (on the wall
clock)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from bot.outbox import OutboxSender, SenderTuning
from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from bot.ratelimit import Limit, RateLimiter
from bot.telegram import TelegramMessenger, create_bot
from bot.vk.factory import VkAdapter
from handlers.arrivals.digests import DigestPlanner
from handlers.arrivals.subjects import SubjectMap
from handlers.core.i18n import Catalog
from handlers.core.messenger import Messenger
from storage.arrival_models import ArrivalRecord
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import ConsentState, OutboxStatus, Platform
from storage.schema import arrival_digest_plans, arrival_subscriptions, outbox, readers
from storage.subscriptions import Frequency

FIRST_TELEGRAM_CHAT = 3_000_000
FIRST_VK_PEER = 4_000_000
START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
LOST_REQUEST_SECONDS = 60.0
"""Real seconds after which a request admitted but never counted by a fake fails the run."""


class VirtualTime:
    """Seconds that pass only when someone sleeps on them.

    A request admitted by a limiter is in flight until the fake server counts it (reads
    ``arrival_clock``), and time does not move while any request is in flight: otherwise a
    sleeper could jump a window ahead while the last window's requests are still on their
    way, and they would reach the server in the same second as the next window's. A sleeper
    wakes at the moment it asked for; concurrent sleepers do not add up their waits.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.in_flight = 0
        self._landed = asyncio.Event()

    def clock(self) -> float:
        return self.now

    def arrival_clock(self) -> float:
        """The fake servers' clock: reading it is a request arriving."""
        self.in_flight = max(self.in_flight - 1, 0)
        if not self.in_flight:
            self._landed.set()
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake_at = self.now + max(seconds, 0.0)
        while self.in_flight:
            self._landed.clear()
            async with asyncio.timeout(LOST_REQUEST_SECONDS):
                await self._landed.wait()
        self.now = max(self.now, wake_at)
        await asyncio.sleep(0)

    def datetime(self) -> datetime:
        return START + timedelta(seconds=self.now)

    def limiter(self) -> RateLimiter:
        return _AdmissionCounter(self)


class _AdmissionCounter(RateLimiter):
    """A limiter on virtual time that counts each admitted call as in flight."""

    def __init__(self, time: VirtualTime) -> None:
        super().__init__(time.clock, time.sleep)
        self._time = time

    @asynccontextmanager
    async def hold(self, limits: Sequence[Limit]) -> AsyncIterator[None]:
        async with super().hold(limits):
            self._time.in_flight += 1
            yield


@dataclass(frozen=True, slots=True)
class FanoutResult:
    telegram_readers: int
    vk_readers: int
    seconds: float
    """Elapsed while sending, on the clock the limits were counted on."""
    telegram_deliveries: Counter[int]
    vk_deliveries: Counter[int]
    telegram_429s: int
    vk_rate_errors: int
    vk_send_calls: int
    vk_largest_batch: int
    rows_by_status: Counter[OutboxStatus]
    telegram_arrivals: list[float]
    """When each counted Telegram request reached the fake, on the limits' clock."""
    vk_arrivals: list[float]

    @staticmethod
    def rate(arrivals: list[float]) -> float:
        """Requests per second from the first arrival to the last."""
        span = max(arrivals) - min(arrivals) if len(arrivals) > 1 else 0.0
        return (len(arrivals) - 1) / span if span > 0 else 0.0


async def add_subscribers(storage: Storage, telegram: int, vk: int, subject: str) -> None:
    """Consenting readers subscribed to ``subject``, Telegram and VK interleaved, written in
    one transaction (one by one would take longer than the fan-out)."""
    peers = [(Platform.TELEGRAM, FIRST_TELEGRAM_CHAT + n) for n in range(telegram)]
    others = [(Platform.VK, FIRST_VK_PEER + n) for n in range(vk)]
    mixed = [p for pair in zip(peers, others, strict=False) for p in pair]
    mixed += peers[len(others) :] + others[len(peers) :]
    rows = [
        {
            "id": number,
            "platform": str(platform),
            "peer_id": peer,
            "language": "ru",
            "consent": str(ConsentState.GIVEN),
            "consent_at": START,
            "display_name": None,
            "reachable": True,
            "created_at": START,
            "updated_at": START,
        }
        for number, (platform, peer) in enumerate(mixed, start=1)
    ]
    async with storage.engine.begin() as conn:
        await conn.execute(insert(readers), rows)
        await conn.execute(
            insert(arrival_subscriptions),
            [{"reader_id": r["id"], "subject": subject, "created_at": START} for r in rows],
        )
        await conn.execute(
            insert(arrival_digest_plans),
            [
                {"reader_id": r["id"], "frequency": str(Frequency.INSTANT), "updated_at": START}
                for r in rows
            ],
        )


async def fan_out(
    workdir: Path,
    telegram_readers: int,
    vk_readers: int,
    *,
    virtual: VirtualTime | None = None,
) -> FanoutResult:
    """Announce one new arrival to every subscriber and deliver until the outbox is empty.
    With ``virtual`` the limiters, the fakes' limits and the sender run on virtual time;
    without it, on the wall clock."""
    url = f"sqlite+aiosqlite:///{workdir / 'fanout.sqlite3'}"
    await upgrade(url)
    seconds: Callable[[], float] = virtual.clock if virtual else time.monotonic
    arrivals = virtual.arrival_clock if virtual else time.monotonic
    when: Callable[[], datetime] = virtual.datetime if virtual else (lambda: datetime.now(UTC))

    def limiter() -> RateLimiter:
        return virtual.limiter() if virtual else RateLimiter()

    telegram_arrivals: list[float] = []
    vk_arrivals: list[float] = []

    def noting(stamps: list[float]) -> Callable[[], float]:
        def clock() -> float:
            stamps.append(arrivals())
            return stamps[-1]

        return clock

    async with (
        FakeTelegramServer(enforce_limits=True, clock=noting(telegram_arrivals)) as telegram,
        FakeVkServer(enforce_limits=True, clock=noting(vk_arrivals)) as vk,
        Storage.open(url, when) as storage,
    ):
        bot = create_bot(telegram.token, limiter(), api_base=telegram.base_url)
        adapter = VkAdapter.create(vk.token, base_url=vk.api_base, limiter=limiter())
        messengers: dict[Platform, Messenger] = {
            Platform.TELEGRAM: TelegramMessenger(bot),
            Platform.VK: adapter.messenger,
        }
        try:
            await add_subscribers(storage, telegram_readers, vk_readers, "cardiology")
            planner = DigestPlanner(
                subscriptions=storage.subscriptions,
                arrivals=storage.arrivals,
                cursors=storage.cursors,
                outbox=storage.outbox,
                catalog=Catalog(),
                subjects=SubjectMap(),
                timezone=ZoneInfo("Europe/Moscow"),
                clock=when,
            )
            await planner.send_new()
            await storage.arrivals.store(
                ArrivalRecord(
                    "Кардиология: национальное руководство",
                    source="fanout",
                    year=2026,
                    subjects=("cardiology",),
                )
            )
            queued = await planner.send_new()
            assert queued == telegram_readers + vk_readers
            sender = OutboxSender(
                storage.outbox,
                storage.readers,
                messengers,
                clock=when,
                # A claim big enough to fill VK's 100-peer batches; a lease that outlives
                # the whole run on any machine.
                tuning=SenderTuning(batch_size=400, per_address=1, lease_seconds=3600),
            )
            started = seconds()
            while await sender.drain_once():
                pass
            elapsed = seconds() - started
            statuses = await _statuses(storage)
        finally:
            await bot.session.close()
            await adapter.api.close()
    sends = vk.calls_of("messages.send")
    return FanoutResult(
        telegram_readers=telegram_readers,
        vk_readers=vk_readers,
        seconds=elapsed,
        telegram_deliveries=Counter(m.chat_id for m in telegram.sent),
        vk_deliveries=Counter(d.peer_id for d in vk.deliveries),
        telegram_429s=telegram.too_many_requests,
        vk_rate_errors=vk.too_many_requests,
        vk_send_calls=len(sends),
        vk_largest_batch=max((len(c.params["peer_ids"].split(",")) for c in sends), default=0),
        rows_by_status=statuses,
        telegram_arrivals=telegram_arrivals,
        vk_arrivals=vk_arrivals,
    )


async def _statuses(storage: Storage) -> Counter[OutboxStatus]:
    query = select(outbox.c.status, func.count()).group_by(outbox.c.status)
    async with storage.engine.connect() as conn:
        return Counter({OutboxStatus(status): count for status, count in await conn.execute(query)})
