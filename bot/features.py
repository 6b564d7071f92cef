"""The features the bot runs, in the order the services consult them: one line each.

Adding a feature means a package under ``handlers/`` and its line here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
from storage.models import Platform
from storage.types import Clock, utcnow


@dataclass(frozen=True, slots=True)
class ReaderSide:
    """What the reader features and the reader service are built from."""

    readers: Readers
    conversations: Conversations
    dialogs: Dialogs
    outbox: Outbox
    tickets: Tickets
    transactions: Transactions
    desk: StaffDesk
    catalog: Catalog
    messengers: Mapping[Platform, Messenger]
    config: ServiceConfig
    clock: Clock = utcnow

    def features(self) -> list[ReaderFeature]:
        return [
            FirstContact(
                readers=self.readers, desk=self.desk, catalog=self.catalog, config=self.config
            ).feature(),
            reference_reader(
                tickets=self.tickets,
                transactions=self.transactions,
                desk=self.desk,
                catalog=self.catalog,
                config=self.config,
                clock=self.clock,
            ),
            Renewals(
                outbox=self.outbox, catalog=self.catalog, config=self.config, clock=self.clock
            ).feature(),
            arrivals_reader(),
        ]

    def service(self, *extra: ReaderFeature) -> ReaderService:
        """The reader service with every feature of the bot, then ``extra``."""
        return ReaderService(
            readers=self.readers,
            conversations=self.conversations,
            dialogs=self.dialogs,
            outbox=self.outbox,
            catalog=self.catalog,
            messengers=self.messengers,
            config=self.config,
            features=[*self.features(), *extra],
        )


@dataclass(frozen=True, slots=True)
class StaffSide:
    """What the staff features and the staff-chat service are built from."""

    desk: StaffDeskService
    tickets: Tickets
    templates: Templates
    profiles: StaffProfiles
    readers: Readers
    outbox: Outbox
    transactions: Transactions
    catalog: Catalog
    messengers: Mapping[Platform, Messenger]
    config: ServiceConfig
    clock: Clock = utcnow

    def features(self) -> list[StaffFeature]:
        return [
            reference_staff(
                desk=self.desk,
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
        ]

    def service(self, *extra: StaffFeature) -> StaffService:
        """The staff-chat service with every feature of the bot, then ``extra``."""
        return StaffService(
            chat=self.desk.chat,
            profiles=self.profiles,
            catalog=self.catalog,
            messengers=self.messengers,
            config=self.config,
            features=[*self.features(), *extra],
        )
