"""Personal digests end to end: a migrated SQLite store on a clock the tests move, the
real Telegram and VK adapters against the fake servers, the outbox sender and the digest
planner, rebuilt as a restarted process would rebuild them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.arrivals.importer import ArrivalImporter
from bot.outbox import OutboxSender
from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from bot.ratelimit import RateLimiter
from bot.telegram import TelegramMessenger, create_bot
from bot.vk.factory import VkAdapter
from handlers.arrivals.digests import DigestPlanner
from handlers.arrivals.subjects import SubjectMap
from handlers.core.i18n import Catalog
from handlers.core.messenger import Messenger
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import Address, ConsentState, Platform
from storage.subscriptions import Frequency
from tests.support.clock import SettableClock

START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
"""A Monday morning in Moscow."""
CSV_HEADER = "title;subjects;year\n"


@dataclass
class Library:
    """Everything a deployment runs for digests, over one database file."""

    storage: Storage
    clock: SettableClock
    telegram: FakeTelegramServer
    vk: FakeVkServer
    messengers: dict[Platform, Messenger]
    url: str

    def planner(self) -> DigestPlanner:
        return DigestPlanner(
            subscriptions=self.storage.subscriptions,
            arrivals=self.storage.arrivals,
            cursors=self.storage.cursors,
            outbox=self.storage.outbox,
            catalog=Catalog(),
            subjects=SubjectMap(),
            timezone=ZoneInfo("Europe/Moscow"),
            clock=self.clock,
        )

    def sender(self) -> OutboxSender:
        return OutboxSender(
            self.storage.outbox, self.storage.readers, self.messengers, clock=self.clock
        )

    async def deliver(self) -> int:
        """Drain the outbox until nothing is due; returns how many rows were claimed."""
        sender, claimed = self.sender(), 0
        while count := await sender.drain_once():
            claimed += count
        return claimed

    async def restart(self) -> None:
        """Close the store and open it again, as a new process would."""
        await self.storage.close()
        self.storage = Storage.open(self.url, self.clock)

    async def subscriber(
        self,
        address: Address,
        *subjects: str,
        frequency: Frequency = Frequency.INSTANT,
        language: str = "ru",
    ) -> int:
        reader = await self.storage.readers.create(address, language)
        await self.storage.readers.set_consent(reader.id, ConsentState.GIVEN, "Читатель")
        for subject in subjects:
            await self.storage.subscriptions.toggle(reader.id, subject)
        await self.storage.subscriptions.set_frequency(reader.id, frequency)
        return reader.id

    async def import_csv(self, *rows: str, source: str = "acquisitions.csv") -> None:
        data = (CSV_HEADER + "\n".join(rows) + "\n").encode()
        importer = ArrivalImporter(self.storage.arrivals, SubjectMap())
        summary = await importer.import_bytes(data, source)
        assert not summary.rejected and summary.added == len(rows)
        self.clock.advance(minutes=1)


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[Library]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'digests.sqlite3'}"
    await upgrade(url)
    clock = SettableClock()
    async with FakeTelegramServer() as telegram, FakeVkServer() as vk:
        bot = create_bot(telegram.token, RateLimiter(), api_base=telegram.base_url)
        adapter = VkAdapter.create(vk.token, base_url=vk.api_base)
        messengers: dict[Platform, Messenger] = {
            Platform.TELEGRAM: TelegramMessenger(bot),
            Platform.VK: adapter.messenger,
        }
        library = Library(Storage.open(url, clock), clock, telegram, vk, messengers, url)
        try:
            yield library
        finally:
            await library.storage.close()
            await bot.session.close()
            await adapter.api.close()
