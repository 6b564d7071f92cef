from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from handlers.config import LibraryProfile, ReaderPolicy, ServiceConfig
from handlers.events import Attachment, Event
from handlers.i18n import Catalog
from handlers.reader_service import ReaderService
from handlers.replies import Reply
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import Address, Platform
from tests.support.recording import RecordingMessenger

STAFF = Address(Platform.TELEGRAM, -100500)


@dataclass
class Desk:
    """The reader service wired to a real SQLite file and recording messengers."""

    service: ReaderService
    storage: Storage
    telegram: RecordingMessenger
    vk: RecordingMessenger
    url: str

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
    ) -> Reply:
        event = Event(
            address=address,
            sender_id=address.peer_id,
            text=text,
            display_name="Анна Петрова",
            language_code=language_code,
            attachments=attachments,
            media_group_id=media_group_id,
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
) -> ReaderService:
    config = ServiceConfig(
        library=LibraryProfile(name="Кузбасская научная медицинская библиотека"),
        policy=ReaderPolicy(retention_days=180, max_text_length=500, flood_burst=flood_burst),
        staff_chat=staff,
    )
    return ReaderService(
        readers=storage.readers,
        conversations=storage.conversations,
        dialogs=storage.dialogs,
        outbox=storage.outbox,
        catalog=Catalog(),
        messengers={Platform.TELEGRAM: telegram, Platform.VK: vk},
        config=config,
    )


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await upgrade(url)
    storage = Storage.open(url)
    telegram, vk = RecordingMessenger(Platform.TELEGRAM), RecordingMessenger(Platform.VK)
    yield Desk(build_service(storage, telegram, vk), storage, telegram, vk, url)
    await storage.close()
