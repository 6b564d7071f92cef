"""The features the bot runs, in the order the services consult them: one line each.

Adding a feature means a package under ``handlers/`` and its line here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.publishing.wiring import Publishing
from handlers.arrivals.reader import arrivals_reader
from handlers.core.config import ServiceConfig
from handlers.core.features import ReaderFeature, StaffFeature
from handlers.core.i18n import Catalog
from handlers.core.messenger import Messenger
from handlers.core.ports import (
    Conversations,
    Dialogs,
    Outbox,
    Readers,
    StaffDesk,
    StaffProfiles,
    Templates,
    Tickets,
    Transactions,
)
from handlers.core.reader_service import ReaderService
from handlers.core.staff_service import StaffService
from handlers.loans.reader import Renewals
from handlers.privacy.reader import FirstContact
from handlers.reference.reader.feature import reference_reader
from handlers.reference.staff.desk import StaffDeskService
from handlers.reference.staff.feature import reference_staff
from storage.database import Storage
from storage.models import Platform
from storage.types import Clock, utcnow


@dataclass(frozen=True, slots=True)
class Wiring:
    """What every feature and both services are built from: the storage ports, the texts, the
    messengers, the settings and the one clock. The staff desk is passed to each side apart,
    since the reader side only needs its narrow port."""

    readers: Readers
    conversations: Conversations
    dialogs: Dialogs
    outbox: Outbox
    tickets: Tickets
    templates: Templates
    profiles: StaffProfiles
    transactions: Transactions
    catalog: Catalog
    messengers: Mapping[Platform, Messenger]
    config: ServiceConfig
    clock: Clock = utcnow
    publishing: Publishing | None = None
    """Announcements to the channel and the wall, built from the settings (absent in tests
    that do not need them)."""

    @classmethod
    def over(
        cls,
        storage: Storage,
        *,
        catalog: Catalog,
        messengers: Mapping[Platform, Messenger],
        config: ServiceConfig,
        clock: Clock = utcnow,
        outbox: Outbox | None = None,
        transactions: Transactions | None = None,
        publishing: Publishing | None = None,
    ) -> Wiring:
        """Every port from ``storage``, except an outbox and transactions that wrap it."""
        return cls(
            readers=storage.readers,
            conversations=storage.conversations,
            dialogs=storage.dialogs,
            outbox=outbox or storage.outbox,
            tickets=storage.tickets,
            templates=storage.templates,
            profiles=storage.staff,
            transactions=transactions or storage,
            catalog=catalog,
            messengers=messengers,
            config=config,
            clock=clock,
            publishing=publishing,
        )

    def staff_desk(self) -> StaffDeskService:
        return StaffDeskService(
            tickets=self.tickets,
            outbox=self.outbox,
            catalog=self.catalog,
            messengers=self.messengers,
            config=self.config,
            clock=self.clock,
        )

    def reader_features(self, desk: StaffDesk) -> list[ReaderFeature]:
        return [
            FirstContact(
                readers=self.readers, desk=desk, catalog=self.catalog, config=self.config
            ).feature(),
            reference_reader(
                tickets=self.tickets,
                transactions=self.transactions,
                desk=desk,
                catalog=self.catalog,
                config=self.config,
                clock=self.clock,
            ),
            Renewals(
                outbox=self.outbox, catalog=self.catalog, config=self.config, clock=self.clock
            ).feature(),
            arrivals_reader(),
        ]

    def staff_features(self, desk: StaffDeskService) -> list[StaffFeature]:
        return [
            reference_staff(
                desk=desk,
                tickets=self.tickets,
                templates=self.templates,
                profiles=self.profiles,
                readers=self.readers,
                outbox=self.outbox,
                transactions=self.transactions,
                catalog=self.catalog,
                messengers=self.messengers,
                config=self.config,
                clock=self.clock,
            ),
            *([self.publishing.feature] if self.publishing is not None else []),
        ]

    def reader_service(self, desk: StaffDesk, *extra: ReaderFeature) -> ReaderService:
        """The reader service with every feature of the bot, then ``extra``."""
        return ReaderService(
            readers=self.readers,
            conversations=self.conversations,
            dialogs=self.dialogs,
            outbox=self.outbox,
            catalog=self.catalog,
            messengers=self.messengers,
            config=self.config,
            features=[*self.reader_features(desk), *extra],
        )

    def staff_service(self, desk: StaffDeskService, *extra: StaffFeature) -> StaffService:
        """The staff-chat service with every feature of the bot, then ``extra``."""
        return StaffService(
            chat=desk.chat,
            profiles=self.profiles,
            catalog=self.catalog,
            messengers=self.messengers,
            config=self.config,
            features=[*self.staff_features(desk), *extra],
        )
