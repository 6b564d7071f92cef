"""Staff answers reach the reader on the reader's platform; notes never do."""

from __future__ import annotations

import pytest

from handlers.core.config import TicketPolicy
from handlers.core.events import Attachment, AttachmentKind
from storage.models import Address, Platform, TicketMessageKind, TicketStatus
from tests.staff.conftest import CONFIGURED_STAFF, VK_STAFF, DeskFactory

TG_READER = Address(Platform.TELEGRAM, 111)
VK_READER = Address(Platform.VK, 222)


async def test_forum_answer_reaches_a_vk_reader_with_header_signature_and_buttons(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk(forum=True)
    ticket, _ = await desk.open_ticket(await desk.reader(VK_READER))
    scan = Attachment(AttachmentKind.DOCUMENT, Platform.TELEGRAM, "tg-doc", "список.pdf", size=10)

    await desk.staff_says(
        "Подобрали 8 источников, список во вложении.", thread_id=101, attachments=(scan,)
    )

    [answer] = desk.vk.replies_to(VK_READER)
    assert answer.text.startswith(f"Ответ библиотеки на ваш запрос №{ticket.id}")
    assert "Подобрали 8 источников" in answer.text
    assert "— Мария Иванова" in answer.text
    assert [b.payload for b in answer.flat_buttons()] == [
        *(f"tk:rate:{ticket.id}:{score}" for score in range(1, 6)),
        f"tk:add:{ticket.id}",
    ]
    assert "Уточнить" in answer.buttons[1][0].text
    assert [a.file_name for a in answer.attachments] == ["список.pdf"]
    assert answer.attachments[0].data == b""  # relayed from Telegram

    stored = await desk.ticket(ticket.id)
    assert stored.status is TicketStatus.ANSWERED
    assert stored.assignee is not None and stored.assignee.user_id == CONFIGURED_STAFF
    [event] = [e for e in await desk.storage.tickets.events(ticket.id) if e.to_status == "answered"]
    assert event.actor == f"Мария Иванова (telegram:{CONFIGURED_STAFF})"
    staff_message = (await desk.storage.tickets.messages(ticket.id))[-1]
    assert staff_message.kind is TicketMessageKind.STAFF
    assert staff_message.author is not None and staff_message.author.name == "Мария Иванова"
    assert "отвечен" in desk.telegram.edits[-1][2].text
    ack = desk.staff_posts()[-1]
    assert ack.thread_id == 101 and "отправляется читателю" in ack.text


async def test_answer_in_the_readers_language_with_the_configured_signature(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(TG_READER, "John Smith", "en"))
    await desk.staff_says("/signature Отдел справок, М. Иванова")

    await desk.staff_says("Here is the list.", reply_to=1)

    answer = desk.telegram.last(TG_READER)
    assert answer.text.startswith(f"The library's answer to your request #{ticket.id}")
    assert "— Отдел справок, М. Иванова" in answer.text
    assert "Add details" in answer.buttons[1][0].text


async def test_plain_group_reply_to_a_later_thread_message_also_answers(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(TG_READER))
    message = await desk.storage.tickets.add_message(
        ticket.id, TicketMessageKind.READER, "И ещё про гипертонию"
    )
    await desk.desk.reader_wrote(await desk.ticket(ticket.id), message)
    await desk.drain()
    follow_up_id = len(desk.telegram.sent)

    await desk.staff_says("Добавили и про гипертонию.", reply_to=follow_up_id)

    answer = desk.telegram.last(TG_READER)
    assert "Добавили и про гипертонию." in answer.text
    ack = desk.staff_posts()[-1]
    assert ack.reply_to == 50_001  # the staff message it acknowledges


async def test_vk_staff_answer_reaches_a_telegram_reader(make_desk: DeskFactory) -> None:
    desk = await make_desk(VK_STAFF)
    ticket, _ = await desk.open_ticket(await desk.reader(TG_READER))
    card_id = len(desk.vk.sent)

    await desk.staff_says("Ответ из ВК", reply_to=card_id)

    assert "Ответ из ВК" in desk.telegram.last(TG_READER).text
    assert (await desk.ticket(ticket.id)).status is TicketStatus.ANSWERED


async def test_note_is_stored_and_never_sent(make_desk: DeskFactory) -> None:
    desk = await make_desk(forum=True)
    ticket, _ = await desk.open_ticket(await desk.reader(TG_READER))

    await desk.staff_says("! позвонить в отдел комплектования", thread_id=101)

    assert desk.telegram.replies_to(TG_READER) == []
    note = (await desk.storage.tickets.messages(ticket.id))[-1]
    assert note.kind is TicketMessageKind.NOTE
    assert note.text == "позвонить в отдел комплектования"
    assert (await desk.ticket(ticket.id)).status is TicketStatus.NEW
    assert "Заметка сохранена" in desk.staff_posts()[-1].text


async def test_a_configured_note_prefix(make_desk: DeskFactory) -> None:
    desk = await make_desk(policy=TicketPolicy(note_prefix="//"))
    ticket, _ = await desk.open_ticket(await desk.reader(TG_READER))
    await desk.staff_says("// для себя", reply_to=1)
    assert desk.telegram.replies_to(TG_READER) == []
    assert (await desk.storage.tickets.messages(ticket.id))[-1].kind is TicketMessageKind.NOTE


async def test_the_same_staff_message_delivered_twice_answers_once(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk(forum=True)
    ticket, _ = await desk.open_ticket(await desk.reader(TG_READER))
    await desk.staff_says("Ответ", thread_id=101)
    desk._press_count[0] -= 1  # the platform redelivers the same update
    await desk.staff_says("Ответ", thread_id=101)

    assert len(desk.telegram.replies_to(TG_READER)) == 1
    staff = [
        m
        for m in await desk.storage.tickets.messages(ticket.id)
        if m.kind is TicketMessageKind.STAFF
    ]
    assert len(staff) == 1


async def test_strangers_in_the_staff_chat_are_ignored(make_desk: DeskFactory) -> None:
    desk = await make_desk(forum=True)
    ticket, _ = await desk.open_ticket(await desk.reader(TG_READER))
    posts = len(desk.staff_posts())

    await desk.staff_says("Я тоже отвечу", sender=9999, thread_id=101)
    await desk.staff_says("/queue", sender=9999)
    await desk.press(f"st:close:{ticket.id}", sender=9999)

    assert desk.telegram.replies_to(TG_READER) == []
    assert len(desk.staff_posts()) == posts
    assert (await desk.ticket(ticket.id)).status is TicketStatus.NEW
    assert desk.telegram.acknowledged[-1].startswith("cb")  # the press answered, to no effect


async def test_chat_admins_may_answer(make_desk: DeskFactory) -> None:
    desk = await make_desk(forum=True, admins=frozenset({8888}))
    await desk.open_ticket(await desk.reader(TG_READER))
    await desk.staff_says("Ответ администратора", sender=8888, name="Админ", thread_id=101)
    assert "— Админ" in desk.telegram.last(TG_READER).text


async def test_chatter_outside_any_ticket_is_left_alone(make_desk: DeskFactory) -> None:
    desk = await make_desk(forum=True)
    await desk.open_ticket(await desk.reader(TG_READER))
    posts = len(desk.staff_posts())
    await desk.staff_says("Коллеги, кто сегодня дежурит?")
    await desk.staff_says("В чужой теме", thread_id=555)
    assert len(desk.staff_posts()) == posts
    assert desk.telegram.replies_to(TG_READER) == []


async def test_a_forgotten_readers_ticket_is_gone_with_them(make_desk: DeskFactory) -> None:
    desk = await make_desk(forum=True)
    reader = await desk.reader(TG_READER)
    await desk.open_ticket(reader)
    posts = len(desk.staff_posts())
    await desk.storage.readers.forget(reader.id)

    await desk.staff_says("Ответ", thread_id=101)

    assert desk.telegram.replies_to(TG_READER) == []
    assert len(desk.staff_posts()) == posts


async def test_staff_are_told_when_the_reader_cannot_be_reached(
    make_desk: DeskFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = await make_desk(forum=True)
    ticket, _ = await desk.open_ticket(await desk.reader(TG_READER))

    async def unknown(reader_id: int) -> None:
        return None

    monkeypatch.setattr(desk.storage.readers, "get_by_id", unknown)
    await desk.staff_says("Ответ", thread_id=101)

    assert desk.telegram.replies_to(TG_READER) == []
    assert "недоступен" in desk.staff_posts()[-1].text
    assert (await desk.ticket(ticket.id)).status is TicketStatus.NEW


async def test_staff_are_warned_when_the_reader_blocked_the_bot(make_desk: DeskFactory) -> None:
    desk = await make_desk(forum=True)
    await desk.open_ticket(await desk.reader(TG_READER))
    await desk.storage.readers.set_reachable(TG_READER, False)

    await desk.staff_says("Ответ", thread_id=101)

    assert desk.telegram.replies_to(TG_READER) == []
    assert "заблокировал бота" in desk.staff_posts()[-1].text


async def test_staff_are_told_about_a_file_too_big_to_relay(make_desk: DeskFactory) -> None:
    desk = await make_desk(forum=True)
    await desk.open_ticket(await desk.reader(VK_READER))
    big = Attachment(
        AttachmentKind.DOCUMENT, Platform.TELEGRAM, "tg-big", "атлас.pdf", size=30 * 1024 * 1024
    )

    await desk.staff_says("Атлас во вложении", thread_id=101, attachments=(big,))

    answer = desk.vk.last(VK_READER)
    assert answer.attachments == ()
    assert "атлас.pdf" in answer.text  # named by the relay, never dropped silently
    ack = desk.staff_posts()[-1].text
    assert "атлас.pdf" in ack and "30.0 МБ" in ack
