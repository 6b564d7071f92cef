"""The reader's ticket buttons: ``ask:<kind>``, ``menu:mine`` and ``tk:<action>:<N>[:<S>]``.

Every ticket id is checked against the pressing reader before anything is shown or changed;
a ticket that is not theirs gets the same answer as a forged button.
"""

from __future__ import annotations

from handlers.core import forms
from handlers.core.menu import refuse_button
from handlers.core.payloads import Payload
from handlers.core.turn import Turn
from handlers.reference.reader import follow_up, my_requests, rating
from handlers.reference.reader.context import ADD_FLOW, COMMENT_FLOW, TicketContext, owned_ticket
from handlers.reference.reader.kinds import show_kinds
from storage.models import TicketKind


def on_ask_menu(turn: Turn) -> None:
    """``menu:ask``: leave any form in progress (its draft text stays) and offer the kinds."""
    draft = turn.state.data.get("draft")
    if turn.state.flow:
        forms.finish(turn)
    if isinstance(draft, str):
        turn.state.data["draft"] = draft
    show_kinds(turn)


def on_ask(ctx: TicketContext, turn: Turn, payload: Payload) -> None:
    """``ask:<kind>``: start that kind's form; text the reader wrote before answers its
    first question."""
    kind = payload.arg(0)
    form = ctx.forms.get(kind or "")
    if form is None or kind not in {str(k) for k in TicketKind}:
        refuse_button(turn)
        return
    draft = turn.state.data.get("draft")
    prefill = {form.steps[0].key: draft} if isinstance(draft, str) and draft else {}
    forms.start(turn, form, prefill)


async def on_ticket(ctx: TicketContext, turn: Turn, payload: Payload) -> None:
    """``tk:show|add|cancel|cancelyes|rate|skipcomment:<N>[:<S>]``."""
    action = payload.arg(0)
    ticket = await owned_ticket(ctx, turn, payload.arg(1))
    if ticket is None:
        refuse_button(turn)
        return
    if action == "show" and len(payload.args) == 2:
        my_requests.show_ticket(ctx, turn, ticket)
    elif action == "add" and len(payload.args) == 2:
        follow_up.start_adding(turn, ticket)
    elif action == "cancel" and len(payload.args) == 2:
        my_requests.confirm_cancel(ctx, turn, ticket)
    elif action == "cancelyes" and len(payload.args) == 2:
        await my_requests.cancel(ctx, turn, ticket)
    elif action == "rate" and len(payload.args) == 3:
        if not await rating.rate(ctx, turn, ticket, payload.arg(2)):
            refuse_button(turn)
    elif action == "skipcomment" and len(payload.args) == 2:
        if not await rating.skip_comment(ctx, turn, ticket):
            refuse_button(turn)
    else:
        refuse_button(turn)


async def leave_modes(ctx: TicketContext, turn: Turn, payload: str | None) -> None:
    """A button or command ends «add to request» and a pending rating comment: the reader
    has moved on. A rating left without a comment still reaches staff."""
    if turn.state.flow == ADD_FLOW:
        turn.state.flow = None
        turn.state.data = {}
    elif turn.state.flow == COMMENT_FLOW and not (payload or "").startswith("tk:skipcomment:"):
        await rating.settle(ctx, turn, None)
