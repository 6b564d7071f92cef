"""/healthz, /readyz and /metrics of the running application, over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Application
from bot.ops.health import LoopProbe, Readiness
from bot.playground.platforms.telegram_server import FakeTelegramServer
from storage.database import Storage
from storage.health import HealthRepository
from storage.migrate import upgrade
from storage.models import Address, Platform
from tests.e2e.conftest import make_settings
from tests.e2e.telegram_client import press, say
from tests.ops.conftest import Clock, admin, needs_postgres

READER = 5001
ALLOWED_LABELS = {"platform", "kind", "outcome", "job", "state", "le"}


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as fake:
        yield fake


async def started(url: str, telegram: FakeTelegramServer, **overrides: Any) -> Application:
    app = Application(make_settings(url, telegram, **overrides))
    await app.start()
    return app


async def get(app: Application, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{app.web_port}{path}") as response,
    ):
        return response.status, await response.text()


async def ready_turns(app: Application, status: int) -> str:
    """Ask /readyz until it answers ``status`` (the change comes from background loops)."""
    async with asyncio.timeout(15):
        while True:
            code, body = await get(app, "/readyz")
            if code == status:
                return body
            await asyncio.sleep(0.05)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_move_after_a_short_reader_session_and_name_nobody(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    app = await started(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}", telegram)
    try:
        status, before = await get(app, "/metrics")
        assert status == 200
        assert value(samples(before), "bot_updates_total", platform="telegram", kind="message") == 0

        await say(telegram, READER, "/start")
        await press(telegram, READER, "consent:yes")
        await say(telegram, READER, "/help")
        # The reply leaves before its handler returns: wait for the third handling to end.
        async with asyncio.timeout(10):
            while True:
                status, after = await get(app, "/metrics")
                handled = samples(after)
                if value(handled, "bot_update_handling_seconds_count", platform="telegram") == 3:
                    break
                await asyncio.sleep(0.02)
    finally:
        await app.stop()

    found = samples(after)
    assert value(found, "bot_updates_total", platform="telegram", kind="message") == 2
    assert value(found, "bot_updates_total", platform="telegram", kind="button") == 1
    assert value(found, "bot_update_handling_seconds_count", platform="telegram") == 3
    assert value(found, "bot_outbox_depth", state="waiting") == 0
    assert ("bot_outbox_oldest_due_age_seconds", ()) in found
    assert value(found, "bot_tickets", state="open") == 0
    for name, labels in found:
        assert {label for label, _ in labels} <= ALLOWED_LABELS, name
    assert str(READER) not in after
    assert "Test" not in after  # the fake reader's first name


async def test_healthz_and_readyz_answer_and_readyz_turns_when_telegram_stops_answering(
    tmp_path: Path, telegram: FakeTelegramServer
) -> None:
    app = await started(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}", telegram)
    try:
        assert await get(app, "/healthz") == (200, "ok\n")
        body = await ready_turns(app, 200)
        assert "database: ok" in body and "telegram: ok" in body and "outbox: ok" in body

        telegram.fail_next(method="getupdates", count=1_000_000, status=502)
        # Ends the long poll in progress; a message in a group the bot does not serve.
        telegram.push_message(-100999, "hello")

        body = await ready_turns(app, 503)
        assert "telegram: the platform does not answer" in body
        assert (await get(app, "/healthz"))[0] == 200
    finally:
        await app.stop()


async def test_readiness_fails_when_the_oldest_due_outbox_row_is_too_old(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await upgrade(url)
    clock = Clock()
    async with Storage.open(url, clock) as storage:
        readiness = Readiness(
            HealthRepository(storage.engine),
            [LoopProbe("telegram", lambda: "")],
            clock=clock,
            outbox_max_age_seconds=300,
        )
        await storage.outbox.enqueue("k1", Address(Platform.TELEGRAM, 7), {"text": "hi"})

        clock.advance(299)
        assert all(verdict.ok for verdict in await readiness.verdicts())

        clock.advance(2)
        verdicts = {verdict.name: verdict for verdict in await readiness.verdicts()}
        assert not verdicts["outbox"].ok
        assert "301s" in verdicts["outbox"].problem
        assert verdicts["database"].ok and verdicts["telegram"].ok

        backlog = await HealthRepository(storage.engine).outbox_backlog(clock())
        assert (backlog.depth, backlog.due) == (1, 1)


@needs_postgres
async def test_readyz_turns_unready_while_the_database_is_down(
    postgres_url: str, telegram: FakeTelegramServer
) -> None:
    app = await started(postgres_url, telegram)
    name = postgres_url.rsplit("/", 1)[1]
    try:
        await ready_turns(app, 200)
        await admin(
            f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        )

        body = await ready_turns(app, 503)
        assert "database: does not answer" in body
        status, metrics = await get(app, "/metrics")
        assert status == 200 and "bot_updates_total" in metrics

        await admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await ready_turns(app, 200)
    finally:
        await admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await app.stop()
