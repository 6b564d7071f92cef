"""Announcements in the whole application: a digest missed while the bot was down is posted
at start to the channel and the wall, once, however often the bot restarts; without a VK
user token one warning says the wall is off."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import Application
from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from handlers.publishing.arrivals import Arrival
from handlers.publishing.posts import Image
from storage.models import OutboxStatus
from tests.e2e.conftest import VK_GROUP_ID, make_settings
from tests.publishing.conftest import virtual_limiter
from tests.publishing.memory_arrivals import MemoryArrivals
from tests.support.clock import SettableClock

CHANNEL = -1009876
MONDAY_10_MSK = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def arrivals(vk: FakeVkServer) -> MemoryArrivals:
    source = MemoryArrivals()
    for number in (1, 2):
        source.add(
            MONDAY_10_MSK - timedelta(days=1),
            Arrival(
                id=number,
                title=f"Неврология {number}",
                cover=Image(url=vk.add_file(bytes([number]) * 32, "image/jpeg")),
            ),
        )
    return source


async def test_a_missed_digest_is_posted_at_start_and_never_again_after_a_restart(
    telegram: FakeTelegramServer, vk: FakeVkServer, database_url: str
) -> None:
    settings = make_settings(
        database_url,
        telegram,
        vk,
        telegram_channel=str(CHANNEL),
        vk_user_token=vk.user_token,
    )
    clock = SettableClock(MONDAY_10_MSK + timedelta(hours=1))
    source = arrivals(vk)

    first = Application(settings, clock, virtual_limiter, arrivals=source)
    await first.start()
    try:
        await telegram.wait_for(lambda: len(telegram.sent_to(CHANNEL)) == 2)
        await vk.wait_for(lambda: len(vk.wall) == 1)
    finally:
        await first.stop()

    clock.now += timedelta(minutes=5)
    second = Application(settings, clock, virtual_limiter, arrivals=source)
    await second.start()
    try:
        await second.publishing.digest_job.run()
        for key in ("digest:2026-11-23T10:00:telegram:1", "digest:2026-11-23T10:00:vk:1"):
            row = await second.storage.outbox.get(key)
            assert row is not None and row.status is OutboxStatus.SENT
        assert await second.storage.outbox.get("digest:2026-11-23T10:00:telegram:2") is None
    finally:
        await second.stop()

    assert len(telegram.sent_to(CHANNEL)) == 2
    assert len(vk.wall) == 1
    assert vk.wall[0].owner_id == -VK_GROUP_ID


async def test_without_a_user_token_one_warning_says_the_wall_is_off(
    telegram: FakeTelegramServer,
    vk: FakeVkServer,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = make_settings(database_url, telegram, vk, telegram_channel=str(CHANNEL))
    app = Application(
        settings, SettableClock(MONDAY_10_MSK), virtual_limiter, arrivals=arrivals(vk)
    )
    with caplog.at_level(logging.INFO):
        await app.start()
        try:
            await telegram.wait_for(lambda: len(telegram.sent_to(CHANNEL)) == 2)
        finally:
            await app.stop()

    warnings = [r for r in caplog.records if "VK_USER_TOKEN" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert vk.wall == [] and vk.calls_of("wall.post") == []
    for secret in (telegram.token, vk.token):
        assert secret not in caplog.text
