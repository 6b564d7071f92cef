from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.features import Wiring
from handlers.core.config import LibraryProfile, ReaderPolicy, ServiceConfig, TicketPolicy
from handlers.core.events import Attachment, Event
from handlers.core.features import ReaderFeature
from handlers.core.i18n import Catalog
from handlers.core.ports import StaffDesk
from handlers.core.reader_service import ReaderService
from handlers.core.replies import Reply
from handlers.loans.ils import Ils
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import Address, Platform
from tests.handlers.staff_desk_double import RecordingStaffDesk
from tests.support.clock import SettableClock
from tests.support.recording import RecordingMessenger

STAFF = Address(Platform.TELEGRAM, -100500)
MSK = ZoneInfo("Europe/Moscow")
MONDAY_MORNING = datetime(2026, 11, 23, 11, 0, tzinfo=MSK)
"""A moment the library is open: the default "now" of handler tests."""


@dataclass
class Clock(SettableClock):
    """The shared settable clock, at a moment the library is open unless a test says otherwise."""

    now: datetime = MONDAY_MORNING


@dataclass
class Desk:
    """The reader service wired to a real SQLite file, recording messengers and a recording
    staff desk."""

    service: ReaderService
    storage: Storage
    telegram: RecordingMessenger
    vk: RecordingMessenger
    url: str
    staff_desk: RecordingStaffDesk = field(default_factory=RecordingStaffDesk)
    clock: Clock = field(default_factory=Clock)

    def messenger(self, address: Address) -> RecordingMessenger:
        return self.telegram if address.platform is Platform.TELEGRAM else self.vk

    async def say(
        self,
        address: Address,
        text: str,
        *,
        language_code: str | None = None,
        attachments: tuple[Attachment, ...] = (),
        media_group_id: str | None = None,
        buttons_supported: bool = True,
    ) -> Reply:
        event = Event(
            address=address,
            sender_id=address.peer_id,
            text=text,
            display_name="Анна Петрова",
            language_code=language_code,
            attachments=attachments,
            media_group_id=media_group_id,
            buttons_supported=buttons_supported,
        )
        await self.service.handle(event)
        return self.messenger(address).last(address)

    async def press(self, address: Address, payload: str) -> Reply:
        await self.service.handle(
            Event(
                address=address,
                sender_id=address.peer_id,
                payload=payload,
                callback_id="cb",
                display_name="Анна Петрова",
            )
        )
        return self.messenger(address).last(address)


def build_service(
    storage: Storage,
    telegram: RecordingMessenger,
    vk: RecordingMessenger,
    staff: Address | None = STAFF,
    flood_burst: int = 1000,
    *,
    staff_desk: StaffDesk | None = None,
    clock: Clock | None = None,
    tickets: TicketPolicy | None = None,
    library: LibraryProfile | None = None,
    extra: Sequence[ReaderFeature] = (),
    ils: Ils | None = None,
) -> ReaderService:
    config = ServiceConfig(
        library=library or LibraryProfile(name="Кузбасская научная медицинская библиотека"),
        policy=ReaderPolicy(retention_days=180, max_text_length=500, flood_burst=flood_burst),
        staff_chat=staff,
        tickets=tickets or TicketPolicy(),
    )
    wiring = Wiring.over(
        storage,
        catalog=Catalog(),
        messengers={Platform.TELEGRAM: telegram, Platform.VK: vk},
        config=config,
        clock=clock or Clock(),
        ils=ils,
    )
    return wiring.reader_service(staff_desk or RecordingStaffDesk(), *extra)


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await upgrade(url)
    staff_desk, clock = RecordingStaffDesk(), Clock()
    storage = Storage.open(url, clock)
    telegram, vk = RecordingMessenger(Platform.TELEGRAM), RecordingMessenger(Platform.VK)
    service = build_service(storage, telegram, vk, staff_desk=staff_desk, clock=clock)
    yield Desk(service, storage, telegram, vk, url, staff_desk, clock)
    await storage.close()
