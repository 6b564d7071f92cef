"""The real application, started in-process against the fake Telegram and VK servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import Application
from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from bot.settings import Settings

VK_GROUP_ID = 4242
STAFF_CHAT_ID = -1001234567890

Launcher = Callable[..., Awaitable[Application]]


def make_settings(
    database_url: str,
    telegram: FakeTelegramServer | None = None,
    vk: FakeVkServer | None = None,
    **overrides: Any,
) -> Settings:
    """Settings exactly as a deployment would give them, pointing at the fakes."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "library_name": "Кузбасская научная медицинская библиотека",
        "staff_chat": f"telegram:{STAFF_CHAT_ID}",
        # The web server always runs (health and metrics): any free port, never a fixed one.
        "web_host": "127.0.0.1",
        "web_port": 0,
    }
    if telegram is not None:
        values |= {"telegram_bot_token": telegram.token, "telegram_api_base": telegram.base_url}
    if vk is not None:
        values |= {
            "vk_group_token": vk.token,
            "vk_group_id": VK_GROUP_ID,
            "vk_api_base": vk.api_base,
        }
    values |= overrides
    return Settings(_env_file=None, **values)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as fake:
        yield fake


@pytest.fixture
async def vk() -> AsyncIterator[FakeVkServer]:
    async with FakeVkServer(group_id=VK_GROUP_ID) as fake:
        yield fake


@pytest.fixture
async def launch(database_url: str) -> AsyncIterator[Launcher]:
    """Start applications; every one still running at the end of the test is stopped."""
    running: list[Application] = []

    async def start(
        telegram: FakeTelegramServer | None = None,
        vk: FakeVkServer | None = None,
        **overrides: Any,
    ) -> Application:
        app = Application(make_settings(database_url, telegram, vk, **overrides))
        await app.start()
        running.append(app)
        return app

    yield start
    for app in running:
        await app.stop()


async def stop(app: Application) -> None:
    await app.stop()
