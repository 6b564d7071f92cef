"""The staff side wired to a real SQLite file, recording messengers and the real outbox
sender, with a clock the tests move by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.features import Wiring
from bot.outbox.relay import AttachmentRelay
from bot.outbox.sender import OutboxSender
from handlers.core.config import LibraryProfile, ReaderPolicy, ServiceConfig, TicketPolicy
from handlers.core.events import Attachment, Event
from handlers.core.features import StaffFeature
from handlers.core.i18n import Catalog
from handlers.core.ports import StaffDesk
from handlers.core.replies import Reply
from handlers.core.staff_service import StaffService
from handlers.loans.staff.desk import RenewalStaffDesk
from handlers.reference.staff import StaffDeskService, StaffReminders
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import (
    Address,
    ConsentState,
    Platform,
    Reader,
    Ticket,
    TicketKind,
    TicketMessage,
    TicketMessageKind,
)
from tests.support.clock import SettableClock
from tests.support.recording import RecordingMessenger

TELEGRAM_STAFF = Address(Platform.TELEGRAM, -100500)
VK_STAFF = Address(Platform.VK, 2_000_000_001)
CONFIGURED_STAFF = 7001


@dataclass
class Desk:
    """Everything a staff-side test touches."""

    storage: Storage
    telegram: RecordingMessenger
    vk: RecordingMessenger
    chat: Address
    clock: SettableClock
    desk: StaffDeskService
    service: StaffService
    reminders: StaffReminders
    sender: OutboxSender
    config: ServiceConfig
    catalog: Catalog
    _press_count: list[int] = field(default_factory=lambda: [0])

    @property
    def port(self) -> StaffDesk:
        """The desk as the reader side is given it (mypy checks that the class fits)."""
        return self.desk

    @property
    def renewal_desk(self) -> RenewalStaffDesk:
        """Renewal requests' side of the staff chat, as the reader side is given it."""
        return RenewalStaffDesk(
            renewals=self.storage.renewals,
            readers=self.storage.readers,
            outbox=self.storage.outbox,
            catalog=self.catalog,
            messengers={Platform.TELEGRAM: self.telegram, Platform.VK: self.vk},
            config=self.config,
            clock=self.clock,
        )

    @property
    def staff_messenger(self) -> RecordingMessenger:
        return self.messenger(self.chat)

    def messenger(self, address: Address) -> RecordingMessenger:
        return self.telegram if address.platform is Platform.TELEGRAM else self.vk

    async def drain(self) -> None:
        while await self.sender.drain_once():
            pass

    async def reader(
        self, address: Address, name: str = "Анна Петрова", language: str = "ru"
    ) -> Reader:
        reader = await self.storage.readers.create(address, language)
        await self.storage.readers.set_consent(reader.id, ConsentState.GIVEN, name)
        found = await self.storage.readers.get_by_id(reader.id)
        assert found is not None
        return found

    async def open_ticket(
        self,
        reader: Reader,
        text: str = "Нужна литература по кардиологии",
        attachments: list[dict[str, Any]] | None = None,
        kind: TicketKind = TicketKind.THEMATIC,
    ) -> tuple[Ticket, TicketMessage]:
        """What the reader side does on submit, then tells the desk."""
        ticket = await self.storage.tickets.create(
            reader.id,
            kind,
            {"topic": text},
            deadline_at=self.clock.now + timedelta(days=3),
            at=self.clock.now,
        )
        request = await self.storage.tickets.add_message(
            ticket.id, TicketMessageKind.READER, text, attachments or [], at=self.clock.now
        )
        await self.port.ticket_opened(ticket, request)
        await self.drain()
        return ticket, request

    async def ticket(self, ticket_id: int) -> Ticket:
        ticket = await self.storage.tickets.get(ticket_id)
        assert ticket is not None
        return ticket

    async def staff_says(
        self,
        text: str | None,
        *,
        sender: int = CONFIGURED_STAFF,
        thread_id: int | None = None,
        reply_to: int | None = None,
        attachments: tuple[Attachment, ...] = (),
        name: str = "Мария Иванова",
    ) -> None:
        self._press_count[0] += 1
        await self.service.handle(
            Event(
                address=self.chat,
                sender_id=sender,
                display_name=name,
                text=text,
                attachments=attachments,
                message_id=50_000 + self._press_count[0],
                is_private=False,
                thread_id=thread_id,
                reply_to_message_id=reply_to,
            )
        )
        await self.drain()

    async def press(
        self, payload: str, *, sender: int = CONFIGURED_STAFF, name: str = "Мария Иванова"
    ) -> None:
        self._press_count[0] += 1
        await self.service.handle(
            Event(
                address=self.chat,
                sender_id=sender,
                display_name=name,
                payload=payload,
                callback_id=f"cb{self._press_count[0]}",
                is_private=False,
            )
        )
        await self.drain()

    def staff_posts(self) -> list[Reply]:
        return self.staff_messenger.replies_to(self.chat)

    def texts(self) -> list[str]:
        return [reply.text for reply in self.staff_posts()]


DeskFactory = Callable[..., Awaitable[Desk]]


@pytest.fixture
async def make_desk(tmp_path: Path) -> AsyncIterator[DeskFactory]:
    storages: list[Storage] = []

    async def build(
        chat: Address = TELEGRAM_STAFF,
        *,
        forum: bool = False,
        admins: frozenset[int] = frozenset(),
        policy: TicketPolicy | None = None,
        extra: Sequence[StaffFeature] = (),
    ) -> Desk:
        url = f"sqlite+aiosqlite:///{tmp_path / f'bot{len(storages)}.sqlite3'}"
        await upgrade(url)
        clock = SettableClock()
        storage = Storage.open(url, clock=clock)
        storages.append(storage)
        telegram = RecordingMessenger(Platform.TELEGRAM, forum=forum)
        vk = RecordingMessenger(Platform.VK)
        staff_messenger = telegram if chat.platform is Platform.TELEGRAM else vk
        staff_messenger.admins = set(admins)
        messengers = {Platform.TELEGRAM: telegram, Platform.VK: vk}
        config = ServiceConfig(
            library=LibraryProfile(name="Кузбасская научная медицинская библиотека"),
            policy=ReaderPolicy(),
            staff_chat=chat,
            staff_members=frozenset({(chat.platform, CONFIGURED_STAFF)}),
            tickets=policy or TicketPolicy(),
        )
        catalog = Catalog()
        wiring = Wiring.over(
            storage, catalog=catalog, messengers=messengers, config=config, clock=clock
        )
        desk = wiring.staff_desk()
        service = wiring.staff_service(desk, *extra)
        reminders = StaffReminders(
            desk=desk, tickets=storage.tickets, transactions=storage, config=config
        )
        t = catalog.translator(catalog.default)
        sender = OutboxSender(
            storage.outbox,
            storage.readers,
            messengers,
            clock=clock,
            relay=AttachmentRelay(messengers, lambda name, reason: t(reason, name=name, limit=20)),
            on_sent=wiring.after_send(desk),
        )
        return Desk(
            storage, telegram, vk, chat, clock, desk, service, reminders, sender, config, catalog
        )

    yield build
    for storage in storages:
        await storage.close()
