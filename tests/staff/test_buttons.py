"""Staff buttons: take, close, reopen, templates; forged ticket ids are refused."""

from __future__ import annotations

import pytest

from storage.models import Address, Platform, TicketStatus
from tests.staff.conftest import CONFIGURED_STAFF, DeskFactory

READER = Address(Platform.TELEGRAM, 111)
ACTOR = f"Мария Иванова (telegram:{CONFIGURED_STAFF})"


async def test_take_assigns_and_starts_work(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))

    await desk.press(f"st:take:{ticket.id}")

    stored = await desk.ticket(ticket.id)
    assert stored.status is TicketStatus.IN_PROGRESS
    assert stored.assignee is not None and stored.assignee.user_id == CONFIGURED_STAFF
    [*_, event] = await desk.storage.tickets.events(ticket.id)
    assert (event.from_status, event.to_status, event.actor) == ("new", "in_progress", ACTOR)
    assert event.at == desk.clock.now
    _, message_id, card = desk.telegram.edits[-1]
    assert message_id == 1
    assert "в работе" in card.text and "Исполнитель: Мария Иванова" in card.text
    assert desk.telegram.acknowledged == ["cb1"]


async def test_take_by_a_colleague_reassigns(make_desk: DeskFactory) -> None:
    desk = await make_desk(admins=frozenset({8888}))
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    await desk.press(f"st:take:{ticket.id}")
    await desk.press(f"st:take:{ticket.id}", sender=8888, name="Ольга")
    stored = await desk.ticket(ticket.id)
    assert stored.assignee is not None and stored.assignee.name == "Ольга"
    assert stored.status is TicketStatus.IN_PROGRESS


async def test_close_and_reopen_in_a_forum_reuse_the_topic(make_desk: DeskFactory) -> None:
    desk = await make_desk(forum=True)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))

    await desk.press(f"st:close:{ticket.id}")
    assert (await desk.ticket(ticket.id)).status is TicketStatus.CLOSED
    assert [b.payload for b in desk.telegram.edits[-1][2].flat_buttons()] == [
        f"st:reopen:{ticket.id}"
    ]

    await desk.press(f"st:reopen:{ticket.id}")
    stored = await desk.ticket(ticket.id)
    assert stored.status is TicketStatus.NEW
    assert desk.telegram.reopened == [101]
    assert len(desk.telegram.topics) == 1
    statuses = [(e.to_status, e.actor) for e in await desk.storage.tickets.events(ticket.id)]
    assert statuses == [("new", "reader"), ("closed", ACTOR), ("new", ACTOR)]


async def test_reopen_of_an_assigned_ticket_puts_it_back_in_progress(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    await desk.press(f"st:take:{ticket.id}")
    await desk.staff_says("Ответ", reply_to=1)
    assert (await desk.ticket(ticket.id)).status is TicketStatus.ANSWERED

    await desk.press(f"st:reopen:{ticket.id}")

    assert (await desk.ticket(ticket.id)).status is TicketStatus.IN_PROGRESS


async def test_a_closed_ticket_cannot_be_taken(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    await desk.press(f"st:close:{ticket.id}")
    await desk.press(f"st:take:{ticket.id}")
    stored = await desk.ticket(ticket.id)
    assert stored.status is TicketStatus.CLOSED and stored.assignee is None


@pytest.mark.parametrize(
    "payload",
    [
        "st:take:999",
        "st:close:0",
        "st:reopen:abc",
        "st:tplsend:999:1",
        "st:take",
        "st:fly:1",
        "st:take:9999999999999999999999",
        "st:take:²",
        "st:tplsend:1:99999999999999999999",
        "st:asgto:1:99999999999999999999999",
    ],
)
async def test_forged_or_unknown_payloads_change_nothing(
    make_desk: DeskFactory, payload: str
) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    posts = len(desk.staff_posts())

    await desk.press(payload)

    assert (await desk.ticket(ticket.id)).status is TicketStatus.NEW
    assert len(desk.staff_posts()) == posts
    assert desk.telegram.edits == []
    assert desk.telegram.replies_to(READER) == []
    assert desk.telegram.acknowledged == ["cb1"]
    assert desk.telegram.notices[0], "the press is answered with why nothing happened"


async def test_templates_are_offered_and_sent_as_the_answer(make_desk: DeskFactory) -> None:
    desk = await make_desk(forum=True)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    template = await desk.storage.templates.add(
        "Нет в фонде", "К сожалению, этого издания нет в фонде библиотеки."
    )

    await desk.press(f"st:tpl:{ticket.id}")
    offer = desk.staff_posts()[-1]
    assert offer.thread_id == 101
    assert [b.payload for b in offer.flat_buttons()] == [f"st:tplsend:{ticket.id}:{template.id}"]

    await desk.press(f"st:tplsend:{ticket.id}:{template.id}")
    answer = desk.telegram.last(READER)
    assert "этого издания нет в фонде" in answer.text
    assert "— Мария Иванова" in answer.text
    assert (await desk.ticket(ticket.id)).status is TicketStatus.ANSWERED


async def test_a_deleted_template_is_refused(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    template = await desk.storage.templates.add("Т", "текст")
    await desk.storage.templates.delete(template.id)
    await desk.press(f"st:tplsend:{ticket.id}:{template.id}")
    assert desk.telegram.replies_to(READER) == []


async def test_no_templates_yet_posts_nothing(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    posts = len(desk.staff_posts())
    await desk.press(f"st:tpl:{ticket.id}")
    assert len(desk.staff_posts()) == posts
