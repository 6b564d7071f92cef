"""The features the bot runs, in the order the services consult them: one line each.

Adding a feature means a package under ``handlers/`` and its line here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from bot.arrivals.importer import ArrivalImporter
from bot.publishing.wiring import Publishing
from handlers.arrivals.ports import Arrivals
from handlers.arrivals.reader import Browsing
from handlers.arrivals.staff import ArrivalDesk
from handlers.arrivals.subjects import SubjectMap
from handlers.arrivals.subscription_ports import Subscriptions
from handlers.arrivals.subscriptions import HOME as SUBSCRIPTIONS_HOME
from handlers.arrivals.subscriptions import SubscriptionDesk, WeeklySchedule
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
    Turns,
)
from handlers.core.reader_service import ReaderService
from handlers.core.staff_service import StaffService
from handlers.loans.ils import Ils
from handlers.loans.ports import LibraryCards, LoansTransactions, RenewalRequests
from handlers.loans.reader import LoansReader
from handlers.loans.reminders.job import LoanReminders
from handlers.loans.reminders.ports import ReminderLedger
from handlers.loans.reminders.settings import ReminderSettings
from handlers.loans.staff.desk import RenewalStaffDesk
from handlers.loans.staff.feature import loans_staff
from handlers.privacy.reader import FirstContact
from handlers.reference.reader.feature import reference_reader
from handlers.reference.staff.desk import StaffDeskService
from handlers.reference.staff.feature import reference_staff
from storage.database import Storage
from storage.models import OutboxItem, Platform
from storage.types import Clock, utcnow

SUBSCRIPTION_LINKS = (("subs-open", SUBSCRIPTIONS_HOME),)
"""The new arrivals lists lead to the reader's subject subscriptions."""
DEFAULT_MAX_IMPORT_BYTES = 20 * 1024 * 1024
"""Telegram lets bots download files of up to 20 MB."""


@dataclass(frozen=True, slots=True)
class Wiring:
    """What every feature and both services are built from: the storage ports, the texts, the
    messengers, the settings and the one clock. The staff desk is passed to each side apart,
    since the reader side only needs its narrow port."""

    readers: Readers
    conversations: Conversations
    dialogs: Dialogs
    turns: Turns
    outbox: Outbox
    tickets: Tickets
    templates: Templates
    profiles: StaffProfiles
    transactions: Transactions
    cards: LibraryCards
    renewals: RenewalRequests
    loans_transactions: LoansTransactions
    reminder_ledger: ReminderLedger
    catalog: Catalog
    messengers: Mapping[Platform, Messenger]
    config: ServiceConfig
    arrivals: Arrivals
    clock: Clock = utcnow
    subjects: SubjectMap = field(default_factory=SubjectMap)
    max_import_bytes: int = DEFAULT_MAX_IMPORT_BYTES
    ils: Ils | None = None
    """The library's circulation system; None for the manual backend (staff renew)."""
    publishing: Publishing | None = None
    """Announcements to the channel and the wall, built from the settings (absent in tests
    that do not need them)."""
    subscriptions: Subscriptions | None = None
    weekly: WeeklySchedule = field(default_factory=WeeklySchedule)

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
        subjects: SubjectMap | None = None,
        max_import_bytes: int = DEFAULT_MAX_IMPORT_BYTES,
        loans_transactions: LoansTransactions | None = None,
        ils: Ils | None = None,
        publishing: Publishing | None = None,
        weekly: WeeklySchedule | None = None,
    ) -> Wiring:
        """Every port from ``storage``, except an outbox and transactions that wrap it."""
        return cls(
            readers=storage.readers,
            conversations=storage.conversations,
            dialogs=storage.dialogs,
            turns=storage.turns,
            outbox=outbox or storage.outbox,
            tickets=storage.tickets,
            templates=storage.templates,
            profiles=storage.staff,
            transactions=transactions or storage,
            cards=storage.cards,
            renewals=storage.renewals,
            loans_transactions=loans_transactions or storage,
            reminder_ledger=storage.loan_reminders,
            catalog=catalog,
            messengers=messengers,
            config=config,
            arrivals=storage.arrivals,
            clock=clock,
            subjects=subjects or SubjectMap(),
            max_import_bytes=max_import_bytes,
            ils=ils,
            publishing=publishing,
            subscriptions=storage.subscriptions,
            weekly=weekly or WeeklySchedule(),
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

    def renewal_desk(self) -> RenewalStaffDesk:
        """Renewal requests' side of the staff chat; it keeps no state, so each caller may
        have its own."""
        return RenewalStaffDesk(
            renewals=self.renewals,
            readers=self.readers,
            outbox=self.outbox,
            catalog=self.catalog,
            messengers=self.messengers,
            config=self.config,
            clock=self.clock,
        )

    def loan_reminders(self) -> LoanReminders:
        """The daily due-date reminders and overdue notices (the scheduler runs them)."""
        return LoanReminders(
            cards=self.cards,
            renewals=self.renewals,
            readers=self.readers,
            ledger=self.reminder_ledger,
            ils=self.ils,
            catalog=self.catalog,
            config=self.config,
        )

    def after_send(self, desk: StaffDeskService) -> Callable[[OutboxItem, int], Awaitable[None]]:
        """The outbox sender's after-send hook: each staff side records its sent posts."""
        renewal_desk = self.renewal_desk()

        async def on_sent(item: OutboxItem, message_id: int) -> None:
            await desk.on_sent(item, message_id)
            await renewal_desk.on_sent(item, message_id)

        return on_sent

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
            LoansReader(
                cards=self.cards,
                renewals=self.renewals,
                desk=self.renewal_desk(),
                ils=self.ils,
                sent_reminders=self.outbox,
                messengers=self.messengers,
                config=self.config,
                clock=self.clock,
            ).feature(),
            ReminderSettings(
                cards=self.cards, config=self.config, manual=self.ils is None
            ).feature(),
            *self._arrival_features(),
        ]

    def _arrival_features(self) -> list[ReaderFeature]:
        if self.subscriptions is None:
            return [Browsing(self.arrivals, self.subjects).feature()]
        return [
            Browsing(self.arrivals, self.subjects, links=SUBSCRIPTION_LINKS).feature(),
            SubscriptionDesk(self.subscriptions, self.subjects, self.weekly).feature(),
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
            ArrivalDesk(
                arrivals=self.arrivals,
                importer=ArrivalImporter(self.arrivals, self.subjects),
                subjects=self.subjects,
                catalog=self.catalog,
                messengers=self.messengers,
                max_file_bytes=self.max_import_bytes,
            ).feature(),
            loans_staff(
                desk=self.renewal_desk(),
                renewals=self.renewals,
                transactions=self.loans_transactions,
                clock=self.clock,
            ),
            *([self.publishing.feature] if self.publishing is not None else []),
        ]

    def reader_service(self, desk: StaffDesk, *extra: ReaderFeature) -> ReaderService:
        """The reader service with every feature of the bot, then ``extra``."""
        return ReaderService(
            readers=self.readers,
            turns=self.turns,
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
