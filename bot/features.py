"""The features the bot runs, in the order the services consult them: one line each.

Adding a feature means a package under ``handlers/`` and its line here.
"""

from __future__ import annotations

from collections.abc import Mapping

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


def reader_features(
    *,
    readers: Readers,
    outbox: Outbox,
    tickets: Tickets,
    transactions: Transactions,
    desk: StaffDesk,
    catalog: Catalog,
    config: ServiceConfig,
    clock: Clock,
) -> list[ReaderFeature]:
    return [
        FirstContact(readers=readers, desk=desk, catalog=catalog, config=config).feature(),
        reference_reader(
            tickets=tickets,
            transactions=transactions,
            desk=desk,
            catalog=catalog,
            config=config,
            clock=clock,
        ),
        Renewals(outbox=outbox, catalog=catalog, config=config, clock=clock).feature(),
        arrivals_reader(),
    ]


def staff_features(
    *,
    desk: StaffDeskService,
    tickets: Tickets,
    templates: Templates,
    profiles: StaffProfiles,
    readers: Readers,
    outbox: Outbox,
    transactions: Transactions,
    catalog: Catalog,
    messengers: Mapping[Platform, Messenger],
    config: ServiceConfig,
    clock: Clock,
) -> list[StaffFeature]:
    return [
        reference_staff(
            desk=desk,
            tickets=tickets,
            templates=templates,
            profiles=profiles,
            readers=readers,
            outbox=outbox,
            transactions=transactions,
            catalog=catalog,
            messengers=messengers,
            config=config,
            clock=clock,
        ),
    ]


def reader_service(
    *,
    readers: Readers,
    conversations: Conversations,
    dialogs: Dialogs,
    outbox: Outbox,
    tickets: Tickets,
    transactions: Transactions,
    desk: StaffDesk,
    catalog: Catalog,
    messengers: Mapping[Platform, Messenger],
    config: ServiceConfig,
    clock: Clock = utcnow,
) -> ReaderService:
    """The reader service with every reader feature of the bot."""
    features = reader_features(
        readers=readers,
        outbox=outbox,
        tickets=tickets,
        transactions=transactions,
        desk=desk,
        catalog=catalog,
        config=config,
        clock=clock,
    )
    return ReaderService(
        readers=readers,
        conversations=conversations,
        dialogs=dialogs,
        outbox=outbox,
        catalog=catalog,
        messengers=messengers,
        config=config,
        features=features,
    )


def staff_service(
    *,
    desk: StaffDeskService,
    tickets: Tickets,
    templates: Templates,
    profiles: StaffProfiles,
    readers: Readers,
    outbox: Outbox,
    transactions: Transactions,
    catalog: Catalog,
    messengers: Mapping[Platform, Messenger],
    config: ServiceConfig,
    clock: Clock = utcnow,
) -> StaffService:
    """The staff-chat service with every staff feature of the bot."""
    features = staff_features(
        desk=desk,
        tickets=tickets,
        templates=templates,
        profiles=profiles,
        readers=readers,
        outbox=outbox,
        transactions=transactions,
        catalog=catalog,
        messengers=messengers,
        config=config,
        clock=clock,
    )
    return StaffService(
        chat=desk.chat,
        profiles=profiles,
        catalog=catalog,
        messengers=messengers,
        config=config,
        features=features,
    )
