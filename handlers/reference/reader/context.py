"""What the reader-side ticket flows share: the ports, the policy and the clock, and the one
check every ticket id from a button goes through."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from handlers.core.config import ServiceConfig
from handlers.core.forms import Form
from handlers.core.i18n import Translator
from handlers.core.menu import menu_payload
from handlers.core.numbers import typed_number
from handlers.core.ports import StaffDesk, Tickets, Transactions
from handlers.core.turn import Turn
from storage.models import Ticket

ASK_ITEM = "ask"
"""Main-menu item: a new request, starting with its kind."""
MINE_ITEM = "mine"
"""Main-menu item: «My requests»."""
MENU_ASK = menu_payload(ASK_ITEM)
MENU_MINE = menu_payload(MINE_ITEM)

ADD_FLOW = "tk_add"
"""Dialog flow: the reader's next messages and files go to the ticket in ``data["ticket"]``."""
COMMENT_FLOW = "tk_comment"
"""Dialog flow: the reader's next text is the comment on the rating in ``data``."""


@dataclass(frozen=True, slots=True)
class TicketContext:
    tickets: Tickets
    transactions: Transactions
    """For writes that must be stored together (a ticket and its request, a reopening and
    the message that reopened it)."""
    desk: StaffDesk
    config: ServiceConfig
    forms: Mapping[str, Form]
    """The form of each kind of request, by the kind's value."""
    staff_t: Translator
    """The library's own language: for SYSTEM records that staff read."""
    clock: Callable[[], datetime]


async def owned_ticket(ctx: TicketContext, turn: Turn, raw_id: object) -> Ticket | None:
    """The ticket ``raw_id`` names if it exists and belongs to the reader of this turn.

    Payloads come back from the reader's client, so an id is untrusted input: a malformed
    id, a missing ticket and another reader's ticket all give None, indistinguishably.
    """
    number = typed_number(str(raw_id)) if isinstance(raw_id, int | str) else None
    if number is None:
        return None
    ticket = await ctx.tickets.get(number)
    if ticket is None or ticket.reader_id != turn.reader.id:
        return None
    return ticket
