"""A reader can never see or act on another reader's ticket, whatever payload they forge."""

from __future__ import annotations

from datetime import datetime

from storage.models import Address, Platform, TicketMessageKind, TicketStatus
from tests.handlers.conftest import MSK, Desk
from tests.handlers.ticket_steps import consenting_reader, submit_question

OWNER = Address(Platform.TELEGRAM, 42)
INTRUDER = Address(Platform.VK, 666)


async def test_forged_payloads_naming_another_readers_ticket_are_refused(desk: Desk) -> None:
    await consenting_reader(desk, OWNER)
    ticket = await submit_question(desk, OWNER, "Личный вопрос о диагнозе")
    at = datetime(2026, 11, 23, 12, 0, tzinfo=MSK)
    await desk.storage.tickets.set_status(ticket.id, TicketStatus.ANSWERED, "staff", at)
    before = await desk.storage.tickets.get(ticket.id)
    messages_before = await desk.storage.tickets.messages(ticket.id)
    events_before = await desk.storage.tickets.events(ticket.id)
    await consenting_reader(desk, INTRUDER)
    desk.staff_desk.opened.clear()

    # What a button naming a ticket that does not exist gets: the reference answer.
    missing = await desk.press(INTRUDER, "tk:show:999999")
    assert "устарела" in desk.vk.replies_to(INTRUDER)[-2].text
    n = ticket.id
    for forged in (
        f"tk:show:{n}",
        f"tk:cancel:{n}",
        f"tk:cancelyes:{n}",
        f"tk:rate:{n}:5",
        f"tk:skipcomment:{n}",
        f"tk:add:{n}",
    ):
        refusal = desk.vk.replies_to(INTRUDER)[-2:]
        shown = await desk.press(INTRUDER, forged)
        assert shown == missing, forged
        assert desk.vk.replies_to(INTRUDER)[-2:] == refusal, forged
        for reply in desk.vk.replies_to(INTRUDER)[-2:]:
            assert "диагноз" not in reply.text and f"№{n}" not in reply.text

    # «Add to request» was refused, so the intruder's text does not reach the ticket.
    await desk.say(INTRUDER, "Подброшенное сообщение")
    assert await desk.storage.tickets.get(ticket.id) == before
    assert await desk.storage.tickets.messages(ticket.id) == messages_before
    assert await desk.storage.tickets.events(ticket.id) == events_before
    assert desk.staff_desk.wrote == desk.staff_desk.changed == []
    assert all(m.kind is TicketMessageKind.READER for m in messages_before)


async def test_malformed_ticket_ids_are_refused(desk: Desk) -> None:
    await consenting_reader(desk, OWNER)
    await submit_question(desk, OWNER, "Вопрос")
    for forged in ("tk:show:-1", "tk:show:1x", "tk:show", "tk:show:1:2", "tk:rate:1", "tk:x:1"):
        await desk.press(OWNER, forged)
        assert "устарела" in desk.telegram.replies_to(OWNER)[-2].text, forged
    assert desk.staff_desk.changed == desk.staff_desk.wrote == []
