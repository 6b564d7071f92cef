"""Announcements against the fake Telegram and VK servers, on a SQLite file, with a clock
the test moves: a "restart" builds everything again over the same database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot

from bot.app import service_config
from bot.outbox.sender import OutboxSender
from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from bot.publishing.wiring import Publishing
from bot.ratelimit import RateLimiter
from bot.settings import Settings
from bot.telegram import TelegramMessenger, create_bot
from bot.vk import VkAdapter
from handlers.core.events import Attachment, Event
from handlers.core.i18n import Catalog
from handlers.core.messenger import Messenger
from handlers.core.staff_chat import StaffChat
from handlers.core.staff_service import StaffService
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import Address, Platform
from tests.publishing.memory_arrivals import MemoryArrivals
from tests.support.clock import SettableClock
from tests.vk.conftest import FAST_RETRY

CHANNEL = -1001500
STAFF_CHAT = Address(Platform.TELEGRAM, -1002600)
MARIA = 7001
PETR = 7002
NAMES = {MARIA: "Мария", PETR: "Пётр"}


def virtual_limiter() -> RateLimiter:
    """Telegram's per-chat limits, kept in virtual time: a wait moves the limiter's clock."""
    moment = [0.0]

    async def sleep(seconds: float) -> None:
        moment[0] += max(seconds, 0.0)

    return RateLimiter(clock=lambda: moment[0], sleep=sleep)


@dataclass
class World:
    tmp_path: Path
    telegram: FakeTelegramServer
    vk: FakeVkServer
    clock: SettableClock
    arrivals: MemoryArrivals = field(default_factory=MemoryArrivals)
    storage: Storage | None = None
    bot: Bot | None = None
    vk_adapter: VkAdapter | None = None
    publishing: Publishing | None = None
    sender: OutboxSender | None = None
    staff: StaffService | None = None
    _messages: int = 1000

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "telegram_bot_token": self.telegram.token,
            "telegram_api_base": self.telegram.base_url,
            "telegram_channel": str(CHANNEL),
            "vk_group_token": self.vk.token,
            "vk_group_id": self.vk.group_id,
            "vk_api_base": self.vk.api_base,
            "vk_user_token": self.vk.user_token,
            "staff_chat": STAFF_CHAT,
            "digest_cron": "0 10 * * mon,thu",
            "library_timezone": "Europe/Moscow",
            "staff_user_ids": f"telegram:{MARIA},telegram:{PETR}",
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    async def start(self, **overrides: Any) -> Publishing:
        """Build (or rebuild, as after a restart) everything over the same database."""
        await self.stop()
        settings = self.settings(**overrides)
        url = f"sqlite+aiosqlite:///{self.tmp_path / 'bot.sqlite3'}"
        await upgrade(url)
        self.storage = Storage.open(url, self.clock)
        self.bot = create_bot(
            self.telegram.token, virtual_limiter(), api_base=self.telegram.base_url
        )
        self.vk_adapter = VkAdapter.create(
            self.vk.token, base_url=self.vk.api_base, retry=FAST_RETRY
        )
        messengers: dict[Platform, Messenger] = {
            Platform.TELEGRAM: TelegramMessenger(self.bot),
            Platform.VK: self.vk_adapter.messenger,
        }
        self.publishing = Publishing.build(
            settings,
            storage=self.storage,
            outbox=self.storage.outbox,
            arrivals=self.arrivals,
            catalog=Catalog(default="ru"),
            messengers=messengers,
            bot=self.bot,
            limiter=virtual_limiter(),
            clock=self.clock,
        )
        self.sender = OutboxSender(
            self.storage.outbox,
            self.storage.readers,
            messengers,
            clock=self.clock,
            publishers=self.publishing.publishers,
        )
        catalog = Catalog(default="ru")
        self.staff = StaffService(
            chat=StaffChat(self.storage.outbox, STAFF_CHAT, self.clock),
            profiles=self.storage.staff,
            catalog=catalog,
            messengers=messengers,
            config=service_config(settings),
            features=[self.publishing.feature],
        )
        return self.publishing

    async def staff_says(
        self, text: str, user: int = MARIA, attachments: tuple[Attachment, ...] = ()
    ) -> None:
        assert self.staff is not None
        self._messages += 1
        await self.staff.handle(
            Event(
                address=STAFF_CHAT,
                sender_id=user,
                display_name=NAMES[user],
                text=text,
                attachments=attachments,
                message_id=self._messages,
                is_private=False,
            )
        )
        await self.deliver()

    async def press(self, data: str, card: int, user: int = MARIA) -> str:
        """Press a button under the staff-chat message ``card``; returns the query id."""
        assert self.staff is not None
        query = self.telegram.push_callback(STAFF_CHAT.peer_id, data, card)
        await self.staff.handle(
            Event(
                address=STAFF_CHAT,
                sender_id=user,
                display_name=NAMES[user],
                payload=data,
                callback_id=query,
                message_id=card,
                is_private=False,
            )
        )
        await self.deliver()
        return query

    def staff_posts(self) -> list[Any]:
        return [m for m in self.telegram.sent if m.chat_id == STAFF_CHAT.peer_id]

    async def post_digest(self) -> None:
        """Run the digest job once, as the scheduler would, and send what it queued."""
        assert self.publishing is not None
        await self.publishing.digest_job.run()
        await self.deliver()

    async def deliver(self) -> None:
        """Send everything due now."""
        assert self.sender is not None
        while await self.sender.drain_once():
            pass

    def channel(self) -> list[Any]:
        return [m for m in self.telegram.sent if m.chat_id == CHANNEL]

    async def stop(self) -> None:
        if self.publishing is not None:
            await self.publishing.close()
        if self.bot is not None:
            await self.bot.session.close()
        if self.vk_adapter is not None:
            await self.vk_adapter.close()
        if self.storage is not None:
            await self.storage.close()
        self.publishing = self.bot = self.vk_adapter = self.storage = self.sender = None
        self.staff = None


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with FakeTelegramServer() as telegram, FakeVkServer() as vk:
        # A Monday at 09:00 in Moscow: fixed, whatever the wall clock says.
        world = World(
            tmp_path, telegram, vk, SettableClock(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
        )
        try:
            yield world
        finally:
            await world.stop()


def cover(vk: FakeVkServer, number: int) -> str:
    """A cover served over HTTP from 127.0.0.1 (the fake VK server's file route)."""
    return vk.add_file(bytes([number]) * 64, "image/jpeg")


MakeCover = Callable[[FakeVkServer, int], str]
