"""A file of new arrivals sent to the Telegram staff chat with the caption /import, or
replied to with /import, is downloaded through the Bot API (the fake server's getFile and
file download) and imported."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot

from bot.arrivals.importer import ArrivalImporter
from bot.playground.platforms.telegram_server import FakeTelegramServer, FakeUser
from bot.telegram import TelegramMessenger, TelegramRunner
from handlers.arrivals.staff import ArrivalDesk
from handlers.arrivals.subjects import SubjectMap
from handlers.core.events import Event
from handlers.core.i18n import Catalog
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import Platform, StaffMember
from tests.arrivals.marc_samples import iso2709, rusmarc
from tests.telegram.conftest import Collector, polling

GROUP_ID = -1001950
LIBRARIAN = FakeUser(41, "Ольга", language_code="ru")
IRBIS_EXPORT = iso2709(
    rusmarc("Кардиология", number="RU1"), rusmarc("Неврология", number="RU2"), encoding="cp1251"
)


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await upgrade(url)
    async with Storage.open(url) as opened:
        yield opened


def arrival_desk(storage: Storage, messenger: TelegramMessenger, max_bytes: int) -> ArrivalDesk:
    subjects = SubjectMap()
    return ArrivalDesk(
        arrivals=storage.arrivals,
        importer=ArrivalImporter(storage.arrivals, subjects),
        subjects=subjects,
        catalog=Catalog(),
        messengers={Platform.TELEGRAM: messenger},
        max_file_bytes=max_bytes,
    )


async def events_for(server: FakeTelegramServer, bot: Bot, count: int) -> list[Event]:
    collector = Collector()
    async with polling(TelegramRunner(bot, collector)):
        await server.wait_for(lambda: len(collector.events) == count)
    return collector.events


async def run_import(desk: ArrivalDesk, event: Event) -> list[str]:
    staff = StaffMember(Platform.TELEGRAM, LIBRARIAN.id, LIBRARIAN.first_name)
    return await desk.feature().commands["import"](event, staff, "")


async def test_a_captioned_file_is_downloaded_and_imported(
    server: FakeTelegramServer, bot: Bot, messenger: TelegramMessenger, storage: Storage
) -> None:
    server.push_document(
        GROUP_ID, IRBIS_EXPORT, file_name="irbis.iso", caption="/import", user=LIBRARIAN
    )
    [event] = await events_for(server, bot, 1)
    assert event.command == "import"

    texts = await run_import(arrival_desk(storage, messenger, 1024 * 1024), event)

    assert texts == ["Импорт «irbis.iso»: добавлено 2, обновлено 0, дубликатов 0, отклонено 0."]
    assert (await storage.arrivals.subject_counts()) == {"cardiology": 2}


async def test_import_replied_to_a_file_imports_that_file(
    server: FakeTelegramServer, bot: Bot, messenger: TelegramMessenger, storage: Storage
) -> None:
    sent = server.push_document(GROUP_ID, IRBIS_EXPORT, file_name="irbis.iso", user=LIBRARIAN)
    server.push_message(GROUP_ID, "/import", user=LIBRARIAN, reply_to=sent["message"]["message_id"])
    _, command = await events_for(server, bot, 2)
    assert command.attachments == ()
    assert [a.file_name for a in command.replied_attachments] == ["irbis.iso"]

    texts = await run_import(arrival_desk(storage, messenger, 1024 * 1024), command)

    assert texts[0].startswith("Импорт «irbis.iso»: добавлено 2")


async def test_a_file_over_the_limit_is_not_downloaded(
    server: FakeTelegramServer, bot: Bot, messenger: TelegramMessenger, storage: Storage
) -> None:
    megabyte = 1024 * 1024
    server.push_document(
        GROUP_ID, IRBIS_EXPORT + b" " * megabyte, file_name="big.iso", caption="/import"
    )
    [event] = await events_for(server, bot, 1)

    texts = await run_import(arrival_desk(storage, messenger, megabyte), event)

    assert texts == ["Файл «big.iso» больше 1 МБ: разделите его на части."]
    assert server.calls_of("getFile") == []
