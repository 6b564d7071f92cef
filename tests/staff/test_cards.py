"""Tickets appear in the staff chat: topics, cards, thread posts and card updates."""

from __future__ import annotations

import pytest

from handlers.core.messenger import PermanentError
from storage.models import Address, Platform, TicketKind, TicketMessageKind, TicketStatus
from tests.staff.conftest import DeskFactory

READER = Address(Platform.TELEGRAM, 111)
PHOTO = {
    "kind": "photo",
    "platform": "telegram",
    "ref": "tg-photo-1",
    "file_name": "обложка.jpg",
    "mime_type": "image/jpeg",
    "size": 1000,
}


async def test_plain_group_card_is_posted_and_linked(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))

    [card] = desk.staff_posts()
    assert f"№{ticket.id}" in card.text
    assert "Тематический" in card.text
    assert "новый" in card.text
    assert "Анна Петрова (Telegram)" in card.text
    assert "Нужна литература по кардиологии" in card.text
    assert "26.11.2026 12:00" in card.text  # the deadline on the library's Moscow clock
    assert [b.payload for b in card.flat_buttons()] == [
        f"st:take:{ticket.id}",
        f"st:asg:{ticket.id}",
        f"st:tpl:{ticket.id}",
        f"st:close:{ticket.id}",
    ]
    assert desk.telegram.topics == []
    stored = await desk.ticket(ticket.id)
    assert stored.thread is not None
    assert stored.thread.chat == desk.chat
    assert stored.thread.topic_id is None
    assert stored.thread.card_message_id == 1
    found = await desk.storage.tickets.by_staff_message(desk.chat, 1)
    assert found is not None and found.id == ticket.id


async def test_card_shows_nothing_personal_beyond_name_and_platform(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    await desk.open_ticket(await desk.reader(Address(Platform.VK, 424242)))
    [card] = desk.staff_posts()
    assert "424242" not in card.text
    assert "(ВКонтакте)" in card.text


async def test_forum_ticket_gets_its_own_topic_with_the_card_first(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk(forum=True)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))

    assert desk.telegram.topics == [f"№{ticket.id} · Тематический · Анна Петрова"]
    [card] = desk.staff_posts()
    assert card.thread_id == 101
    stored = await desk.ticket(ticket.id)
    assert stored.thread is not None
    assert (stored.thread.topic_id, stored.thread.card_message_id) == (101, 1)
    found = await desk.storage.tickets.by_topic(desk.chat, 101)
    assert found is not None and found.id == ticket.id


async def test_request_files_follow_the_card_relayed_from_the_readers_platform(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk(Address(Platform.VK, 2_000_000_001))
    ticket, _ = await desk.open_ticket(await desk.reader(READER), attachments=[PHOTO])

    card, files = desk.vk.replies_to(desk.chat)
    assert "Файлы: обложка.jpg" in card.text
    assert card.attachments == ()
    assert f"№{ticket.id}" in files.text
    [photo] = files.attachments
    assert photo.file_name == "обложка.jpg"
    assert photo.data == b""  # downloaded from Telegram by the relay, to upload to VK
    linked = await desk.storage.tickets.by_staff_message(desk.chat, 2)
    assert linked is not None and linked.id == ticket.id


async def test_opening_twice_reuses_the_topic_and_the_card(make_desk: DeskFactory) -> None:
    desk = await make_desk(forum=True)
    ticket, request = await desk.open_ticket(await desk.reader(READER))
    await desk.desk.ticket_opened(ticket, request)
    await desk.drain()
    assert len(desk.telegram.topics) == 1
    assert len(desk.staff_posts()) == 1


async def test_reader_follow_up_replies_to_the_card_in_a_plain_group(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    message = await desk.storage.tickets.add_message(
        ticket.id, TicketMessageKind.READER, "Лучше за последние 5 лет", [PHOTO]
    )
    await desk.desk.reader_wrote(await desk.ticket(ticket.id), message)
    await desk.drain()

    follow_up = desk.staff_posts()[-1]
    assert follow_up.reply_to == 1
    assert "Лучше за последние 5 лет" in follow_up.text
    assert [a.ref for a in follow_up.attachments] == ["tg-photo-1"]
    assert desk.telegram.edits[-1][1] == 1  # the card, refreshed in place
    linked = await desk.storage.tickets.by_staff_message(desk.chat, len(desk.telegram.sent))
    assert linked is not None and linked.id == ticket.id


async def test_reader_follow_up_goes_to_the_topic_and_reopens_it(make_desk: DeskFactory) -> None:
    desk = await make_desk(forum=True)
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    await desk.storage.tickets.set_status(ticket.id, TicketStatus.CLOSED, "system", desk.clock.now)
    await desk.storage.tickets.set_status(ticket.id, TicketStatus.NEW, "reader", desk.clock.now)
    message = await desk.storage.tickets.add_message(
        ticket.id, TicketMessageKind.READER, "Я ещё вопрос"
    )
    await desk.desk.reader_wrote(await desk.ticket(ticket.id), message)
    await desk.drain()

    assert desk.telegram.reopened == [101]
    assert desk.staff_posts()[-1].thread_id == 101
    assert len(desk.telegram.topics) == 1


async def test_ticket_changed_edits_the_card_and_posts_the_system_record(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    closed = await desk.storage.tickets.set_status(
        ticket.id, TicketStatus.CLOSED, "reader", desk.clock.now
    )
    record = await desk.storage.tickets.add_message(
        ticket.id, TicketMessageKind.SYSTEM, "Читатель отменил запрос"
    )
    await desk.desk.ticket_changed(closed, record)
    await desk.drain()

    chat, message_id, card = desk.telegram.edits[-1]
    assert (chat, message_id) == (desk.chat, 1)
    assert "закрыт" in card.text
    assert [b.payload for b in card.flat_buttons()] == [f"st:reopen:{ticket.id}"]
    assert "Читатель отменил запрос" in desk.staff_posts()[-1].text
    assert len([r for r in desk.staff_posts() if r.buttons]) == 1


async def test_a_card_that_cannot_be_edited_is_posted_anew(
    make_desk: DeskFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))

    async def refuse(*_: object) -> None:
        raise PermanentError("message to edit not found")

    monkeypatch.setattr(desk.telegram, "edit", refuse)
    await desk.storage.tickets.rate(ticket.id, 5, "Спасибо!")
    await desk.desk.ticket_changed(await desk.ticket(ticket.id), None)
    await desk.drain()

    cards = [r for r in desk.staff_posts() if r.buttons]
    assert len(cards) == 2
    assert "5 из 5" in cards[-1].text
    stored = await desk.ticket(ticket.id)
    assert stored.thread is not None
    assert stored.thread.card_message_id == 2


async def test_a_card_is_always_one_message(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    reader = await desk.reader(READER)
    ticket = await desk.storage.tickets.create(
        reader.id,
        TicketKind.THEMATIC,
        {f"field{n}": "слово " * 200 for n in range(10)},
        deadline_at=desk.clock.now,
        at=desk.clock.now,
    )
    request = await desk.storage.tickets.add_message(ticket.id, TicketMessageKind.READER, "…")
    await desk.desk.ticket_opened(ticket, request)
    await desk.drain()
    [card] = desk.staff_posts()
    assert len(card.text) <= 4000
    assert card.buttons
