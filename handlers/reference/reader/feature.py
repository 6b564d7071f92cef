"""What the reference desk answers in readers' private chats."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.core.config import ServiceConfig
from handlers.core.features import MenuEntry, ReaderFeature
from handlers.core.forms import Form
from handlers.core.i18n import Catalog
from handlers.core.payloads import Payload
from handlers.core.ports import StaffDesk, Tickets, Transactions
from handlers.core.turn import Turn
from handlers.reference.reader import buttons, follow_up, my_requests, rating
from handlers.reference.reader.context import (
    ADD_FLOW,
    ASK_ITEM,
    COMMENT_FLOW,
    MINE_ITEM,
    TicketContext,
)
from handlers.reference.reader.kinds import ticket_forms
from handlers.reference.reader.submit import submit


def reference_reader(
    *,
    tickets: Tickets,
    transactions: Transactions,
    desk: StaffDesk,
    catalog: Catalog,
    config: ServiceConfig,
    clock: Callable[[], datetime],
) -> ReaderFeature:
    """Requests of each kind with their forms, «My requests», follow-ups, cancelling and
    rating. ``desk`` is told of new requests, follow-ups, cancellations and ratings."""
    ctx = TicketContext(
        tickets=tickets,
        transactions=transactions,
        desk=desk,
        config=config,
        forms=ticket_forms(config.tickets),
        staff_t=catalog.translator(catalog.default),
        clock=clock,
    )

    async def on_ask_menu(turn: Turn) -> None:
        buttons.on_ask_menu(turn)

    async def on_mine_menu(turn: Turn) -> None:
        await my_requests.show_mine(ctx, turn)

    async def on_ask(turn: Turn, payload: Payload) -> None:
        buttons.on_ask(ctx, turn, payload)

    async def on_ticket(turn: Turn, payload: Payload) -> None:
        await buttons.on_ticket(ctx, turn, payload)

    async def on_submit(turn: Turn, form: Form) -> None:
        await submit(ctx, turn, form)

    async def on_add_message(turn: Turn) -> None:
        await follow_up.on_add_message(ctx, turn)

    async def on_comment(turn: Turn) -> None:
        await rating.on_comment_message(ctx, turn)

    async def on_free_message(turn: Turn) -> None:
        if not await follow_up.into_open_ticket(ctx, turn):
            follow_up.offer_new_request(turn)

    async def leave(turn: Turn, payload: str | None) -> None:
        await buttons.leave_modes(ctx, turn, payload)

    return ReaderFeature(
        name="reference",
        actions={"ask": on_ask, "tk": on_ticket},
        consent_actions=frozenset({"ask", "tk"}),
        menu=(
            MenuEntry(ASK_ITEM, "menu-ask", row=10, run=on_ask_menu, needs_consent=True),
            MenuEntry(MINE_ITEM, "menu-mine", row=20, run=on_mine_menu, needs_consent=True),
        ),
        forms=ctx.forms,
        submit=on_submit,
        flows={ADD_FLOW: on_add_message, COMMENT_FLOW: on_comment, None: on_free_message},
        leave=leave,
    )
