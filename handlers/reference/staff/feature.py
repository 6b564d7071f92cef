"""What the reference desk answers in the staff chat: its commands, its card buttons and
staff messages in a ticket's thread."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from handlers.core.config import ServiceConfig
from handlers.core.features import StaffFeature
from handlers.core.i18n import Catalog
from handlers.core.messenger import Messenger
from handlers.core.ports import Outbox, Readers, StaffProfiles, Templates, Tickets, Transactions
from handlers.reference.staff.actions import STAFF_ACTION, StaffActions
from handlers.reference.staff.answers import Answers
from handlers.reference.staff.assignment import Assignment
from handlers.reference.staff.colleagues import Colleagues
from handlers.reference.staff.commands import StaffCommands
from handlers.reference.staff.desk import StaffDeskService
from handlers.reference.staff.messages import TicketMessages
from storage.models import Platform


def reference_staff(
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
    clock: Callable[[], datetime],
) -> StaffFeature:
    assignment = Assignment(
        desk=desk,
        tickets=tickets,
        colleagues=Colleagues(config=config, profiles=profiles, messengers=messengers),
        clock=clock,
    )
    answers = Answers(
        desk=desk,
        tickets=tickets,
        readers=readers,
        profiles=profiles,
        outbox=outbox,
        transactions=transactions,
        catalog=catalog,
        config=config,
        clock=clock,
    )
    actions = StaffActions(
        desk=desk,
        tickets=tickets,
        templates=templates,
        answers=answers,
        assignment=assignment,
        clock=clock,
    )
    commands = StaffCommands(
        tickets=tickets,
        templates=templates,
        profiles=profiles,
        assignment=assignment,
        config=config,
        t=desk.t,
        clock=clock,
    )
    messages = TicketMessages(tickets=tickets, answers=answers, config=config)
    return StaffFeature(
        name="reference",
        commands=commands.handlers(),
        actions={STAFF_ACTION: actions.press},
        messages=messages.on_message,
    )
