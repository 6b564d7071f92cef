"""The playground's controls and actions over HTTP, with the application in this process:
what the page may ask, and what it may not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.playground.cast import READERS, STAFF_CHAT_ID, VK_GROUP_ID
from bot.playground.clock import PlaygroundClock
from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from bot.playground.session import Session
from bot.playground.web import Page
from bot.playground.world import World
from bot.settings import IlsBackend, Settings
from handlers.core.config import WorkingTime
from handlers.reference.reader.deadlines import is_working_day
from tests.support.clock import SettableClock

FRIDAY_NOON_MSK = datetime(2027, 3, 12, 9, 0, tzinfo=UTC)


class Client:
    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base

    async def post(self, path: str, body: Any = None, **options: Any) -> tuple[int, Any]:
        data = options.pop("data", None)
        json_body = None if data is not None else (body if body is not None else {})
        async with self.session.post(self.base + path, json=json_body, data=data) as response:
            return response.status, await response.json()


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[tuple[Client, Session, FakeTelegramServer]]:
    wall = SettableClock(FRIDAY_NOON_MSK)
    async with FakeTelegramServer() as telegram, FakeVkServer(group_id=VK_GROUP_ID) as vk:
        world = World(telegram, vk)
        world.populate()
        url = f"sqlite+aiosqlite:///{tmp_path / 'playground.sqlite3'}"
        session = Session(Settings(_env_file=None), telegram, vk, url, PlaygroundClock(wall))
        await session.start()
        runner = web.AppRunner(Page(world, session).application(), handler_cancellation=True)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            async with aiohttp.ClientSession() as http:
                yield Client(http, base), session, telegram
        finally:
            await runner.cleanup()
            await session.stop()


def test_the_next_working_day_skips_the_weekend() -> None:
    clock = PlaygroundClock(SettableClock(FRIDAY_NOON_MSK))
    assert clock.next_working_day(WorkingTime()) == FRIDAY_NOON_MSK + timedelta(days=3)


@pytest.mark.parametrize("day", range(0, 40))
def test_the_next_working_day_is_the_first_one_after_today(day: int) -> None:
    start = datetime(2026, 12, 20, 9, 0, tzinfo=UTC) + timedelta(days=day)
    working = WorkingTime()
    moved = PlaygroundClock(SettableClock(start)).next_working_day(working)
    assert is_working_day(moved.date(), working)
    skipped = [start.date() + timedelta(days=n) for n in range(1, (moved - start).days)]
    assert not any(is_working_day(d, working) for d in skipped)
    assert moved.time() == start.time() and moved > start


async def test_controls_move_the_clock_and_switch_the_ils(
    playground: tuple[Client, Session, FakeTelegramServer],
) -> None:
    client, session, _telegram = playground
    assert await client.post("/api/control/advance") == (200, {"ok": True})
    assert session.clock() - FRIDAY_NOON_MSK == timedelta(days=3)
    assert await client.post("/api/control/ils", {"backend": "demo"}) == (200, {"ok": True})
    assert session.ils is IlsBackend.DEMO
    assert session.app.settings.ils_backend is IlsBackend.DEMO
    status, _ = await client.post("/api/control/ils", {"backend": "koha"})
    assert status == 400 and session.ils is IlsBackend.DEMO


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/reader/nobody/write", {"text": "hi"}),
        ("/api/reader/tg-anna/teleport", {}),
        ("/api/reader/tg-anna/write", {"text": "x" * 10_000}),
        ("/api/reader/tg-anna/write", {"text": "hi", "attachment": "virus.exe"}),
        ("/api/reader/tg-anna/press", {"message": 999, "row": 0, "column": 0}),
        ("/api/reader/vk-olga/press", {"message": 999, "row": 0, "column": 0}),
        ("/api/reader/tg-anna/press", {"message": "one", "row": 0, "column": 0}),
        ("/api/staff/staff-maria/press", {"message": 1, "row": -1, "column": 0}),
        ("/api/staff/tg-anna/write", {"text": "a reader is not staff"}),
        ("/api/control/format-disk", {}),
        ("/api/reader/tg-anna/write", {"text": ""}),
        ("/api/reader/vk-olga/write", {"text": ""}),
        ("/api/staff/staff-maria/write", {"text": "hi", "thread": 424242}),
        ("/api/staff/staff-maria/write", {"text": "hi", "reply_to": 424242}),
        ("/api/reader/tg-anna/write", ["not", "an", "object"]),
    ],
)
async def test_forged_requests_are_refused_and_inject_nothing(
    playground: tuple[Client, Session, FakeTelegramServer], path: str, body: Any
) -> None:
    client, _session, telegram = playground
    status, answer = await client.post(path, body)
    assert status == 400 and answer["error"]
    for chat in (READERS[0].user_id, STAFF_CHAT_ID):
        assert telegram.user_messages(chat) == []


async def test_only_json_is_taken(playground: tuple[Client, Session, FakeTelegramServer]) -> None:
    client, _session, telegram = playground
    status, _ = await client.post("/api/reader/tg-anna/write", data="text=hi")
    assert status == 415
    assert telegram.user_messages(READERS[0].user_id) == []
