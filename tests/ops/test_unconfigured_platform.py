"""A platform that is not configured is not imported: its library stays out of memory. Nor
are the backends a deployment does not use: the ILS clients when staff renew by hand,
SQLAlchemy's PostgreSQL dialect on SQLite, and SQLAlchemy's ORM (the storage is Core).

Each case starts the real application in a fresh interpreter (modules already imported by
the test process would hide the difference) against one fake platform, on SQLite, with the
manual ILS backend, then reports which of those modules are loaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.fresh_interpreter import json_report

SCRIPT = """
    import asyncio, json, subprocess, sys
    from tests.e2e.conftest import STAFF_CHAT_ID, VK_GROUP_ID, make_settings
    from bot.playground.platforms.telegram_server import FakeTelegramServer
    from bot.playground.platforms.vk_server import FakeVkServer
    from bot.app import Application

    MIGRATE = (
        "import asyncio, sys; from storage.migrate import upgrade; "
        "asyncio.run(upgrade(sys.argv[1]))"
    )
    WATCHED = (
        "aiogram",
        "vkbottle",
        "sqlalchemy.dialects.postgresql",
        "sqlalchemy.orm",
        "bot.ils.koha",
        "bot.ils.sip2",
    )

    async def main(platform: str, url: str) -> None:
        loaded_before = [m for m in WATCHED if m in sys.modules]
        if platform == "telegram":
            fake = FakeTelegramServer()
        else:
            fake = FakeVkServer(group_id=VK_GROUP_ID)
        async with fake:
            if platform == "telegram":
                settings = make_settings(url, telegram=fake)
            else:
                settings = make_settings(url, vk=fake, staff_chat=f"vk:{2000000001}")
            # As ``python -m bot`` does: the migrations (which import every dialect) run in
            # a child process.
            subprocess.run(
                [sys.executable, "-c", MIGRATE, url], check=True, capture_output=True
            )
            app = Application(settings, migrate=False)
            await app.start()
            try:
                started = sorted(str(p) for p in app.messengers)
            finally:
                await app.stop()
        loaded = [m for m in WATCHED if m in sys.modules]
        print(json.dumps({"before": loaded_before, "after": loaded, "started": started}))

    asyncio.run(main(sys.argv[1], sys.argv[2]))
    """


def _run(platform: str, tmp_path: Path) -> dict[str, list[str]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    report: dict[str, list[str]] = json_report(SCRIPT, platform, url)
    return report


@pytest.mark.parametrize(
    ("platform", "loaded", "absent"),
    [("telegram", "aiogram", "vkbottle"), ("vk", "vkbottle", "aiogram")],
)
def test_only_the_configured_platforms_library_is_imported(
    platform: str, loaded: str, absent: str, tmp_path: Path
) -> None:
    report = _run(platform, tmp_path)

    assert report["started"] == [platform]
    assert report["before"] == []
    assert loaded in report["after"], "the check would be empty if the platform never loaded"
    assert absent not in report["after"]


@pytest.mark.parametrize("platform", ["telegram", "vk"])
def test_unused_backends_are_not_imported(platform: str, tmp_path: Path) -> None:
    report = _run(platform, tmp_path)

    assert report["started"] == [platform]
    assert "sqlalchemy.dialects.postgresql" not in report["after"]
    assert "sqlalchemy.orm" not in report["after"], "see storage/asyncio_without_orm.py"
    assert "bot.ils.koha" not in report["after"]
    assert "bot.ils.sip2" not in report["after"]
