"""The real application inside the playground, and the controls that save days of waiting."""

from __future__ import annotations

from importlib.resources import as_file, files
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from bot.app import Application, service_config
from bot.arrivals.cli import import_files
from bot.playground.cast import CHANNEL_ID, STAFF, STAFF_CHAT_ID, VK_GROUP_ID
from bot.playground.clock import PlaygroundClock
from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from bot.settings import IlsBackend, Settings, TelegramMode, VkMode
from storage.models import Address, Platform

SAMPLE_ARRIVALS = "arrivals.csv"
"""The sample file of new arrivals shipped in ``bot/playground/samples``."""
ILS_CHOICES = (IlsBackend.MANUAL, IlsBackend.DEMO)


def playground_settings(
    base: Settings,
    telegram: FakeTelegramServer,
    vk: FakeVkServer,
    database_url: str,
    ils: IlsBackend,
) -> Settings:
    """``base`` (the library's own settings) with every connection pointed at the playground:
    its platforms, its staff and channel, its database; never a production one."""
    update: dict[str, Any] = {
        "telegram_bot_token": SecretStr(telegram.token),
        "telegram_api_base": telegram.base_url,
        "telegram_mode": TelegramMode.POLLING,
        "telegram_channel": str(CHANNEL_ID),
        "vk_group_token": SecretStr(vk.token),
        "vk_user_token": SecretStr(vk.user_token),
        "vk_group_id": VK_GROUP_ID,
        "vk_api_base": vk.api_base,
        "vk_mode": VkMode.LONGPOLL,
        "database_url": SecretStr(database_url),
        "staff_chat": Address(Platform.TELEGRAM, STAFF_CHAT_ID),
        "staff_user_ids": [Address(Platform.TELEGRAM, m.user_id) for m in STAFF],
        "web_host": "127.0.0.1",
        "web_port": 0,
        "redis_url": SecretStr(""),
        "arrivals_feed_url": "",
        "ils_backend": ils,
    }
    return base.model_copy(update=update)


class Session:
    """Starts, restarts and drives the application on the playground's platforms."""

    def __init__(
        self,
        base: Settings,
        telegram: FakeTelegramServer,
        vk: FakeVkServer,
        database_url: str,
        clock: PlaygroundClock,
    ) -> None:
        self._base = base
        self._telegram = telegram
        self._vk = vk
        self._database_url = database_url
        self.clock = clock
        self.ils = IlsBackend.MANUAL
        self._app: Application | None = None

    @property
    def settings(self) -> Settings:
        return playground_settings(
            self._base, self._telegram, self._vk, self._database_url, self.ils
        )

    @property
    def app(self) -> Application:
        assert self._app is not None, "the playground's application is not started"
        return self._app

    async def start(self) -> None:
        app = Application(self.settings, self.clock)
        await app.start()
        self._app = app

    async def stop(self) -> None:
        if self._app is not None:
            await self._app.stop()
            self._app = None

    def now_text(self) -> str:
        zone = ZoneInfo(self.settings.library_timezone)
        return f"{self.clock().astimezone(zone):%a %d.%m.%Y %H:%M} ({zone.key})"

    # ---- the page's controls; each returns a line for the page ----------------------------

    async def switch_ils(self, backend: str) -> str:
        """Restart the application with another circulation system, on the same database."""
        chosen = IlsBackend(backend)
        if chosen not in ILS_CHOICES:
            raise ValueError(f"the playground offers {', '.join(ILS_CHOICES)}")
        await self.stop()
        self.ils = chosen
        await self.start()
        return f"ILS backend: {chosen.value} (the bot restarted on the same database)"

    async def run_digest(self) -> str:
        run = await self.app.publishing.digests.run(self.clock())
        return f"Digest {run.status.value}: {len(run.arrival_ids)} arrivals"

    async def run_reminders(self) -> str:
        now = self.clock()
        staff = await self.app.reminders.remind(now=now)
        loans = await self.app.loan_reminders.run(now)
        return f"Reminders: {staff} to the staff chat, {loans} due-date reminders to readers"

    async def advance_day(self) -> str:
        self.clock.next_working_day(service_config(self.settings).working_time)
        return f"Now: {self.now_text()}"

    async def load_arrivals(self) -> str:
        lines: list[str] = []
        sample = files("bot.playground.samples").joinpath(SAMPLE_ARRIVALS)
        with as_file(sample) as path:
            await import_files(self.settings, [str(path)], lines.append, self.clock)
        return " ".join(lines) or "Sample arrivals: nothing imported"
