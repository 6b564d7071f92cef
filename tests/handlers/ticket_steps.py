"""Steps the ticket tests share: a consenting reader, a submitted request, payloads shown."""

from __future__ import annotations

from handlers.core.replies import Reply
from storage.models import Address, Ticket
from tests.handlers.conftest import Desk


def payloads(reply: Reply) -> list[str]:
    return [b.payload for b in reply.flat_buttons()]


async def consenting_reader(desk: Desk, reader: Address) -> None:
    await desk.say(reader, "/start")
    await desk.press(reader, "consent:yes")


async def submit_question(desk: Desk, reader: Address, question: str) -> Ticket:
    """A factographic request with no files, sent; returns the stored ticket."""
    await desk.press(reader, "menu:ask")
    await desk.press(reader, "ask:factographic")
    await desk.say(reader, question)
    await desk.press(reader, "form:factographic:files:skip")
    await desk.press(reader, "form:factographic:confirm:send")
    stored = await desk.storage.readers.get(reader)
    assert stored is not None
    ticket = await desk.storage.tickets.latest_active_for_reader(stored.id)
    assert ticket is not None
    return ticket
