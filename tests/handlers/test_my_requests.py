"""«My requests», adding to a request, follow-ups that reopen it, cancelling and rating."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.core.events import Attachment, AttachmentKind
from storage.models import (
    Address,
    Platform,
    StaffMember,
    TicketEvent,
    TicketMessageKind,
    TicketStatus,
)
from tests.handlers.conftest import MSK, Desk
from tests.handlers.ticket_steps import consenting_reader, payloads, submit_question

READER = Address(Platform.TELEGRAM, 42)
LIBRARIAN = StaffMember(Platform.TELEGRAM, 900, "Мария Ивановна")
LATER = datetime(2026, 11, 23, 15, 0, tzinfo=MSK)


async def answer(desk: Desk, ticket_id: int, *, assign: bool = False) -> None:
    """What the staff side does when an answer is delivered."""
    if assign:
        await desk.storage.tickets.assign(ticket_id, LIBRARIAN, LATER)
    await desk.storage.tickets.add_message(ticket_id, TicketMessageKind.STAFF, "Ответ", at=LATER)
    await desk.storage.tickets.set_status(ticket_id, TicketStatus.ANSWERED, str(LIBRARIAN), LATER)
    desk.clock.now = LATER + timedelta(hours=1)


async def last_event(desk: Desk, ticket_id: int) -> TicketEvent:
    return (await desk.storage.tickets.events(ticket_id))[-1]


async def test_my_requests_lists_number_kind_status_and_date(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    reply = await desk.press(READER, "menu:mine")
    assert "пока нет запросов" in reply.text
    await submit_question(desk, READER, "Когда открыт инсулин?")
    await desk.press(READER, "ask:address")
    await desk.say(READER, "Кардиология, 2019")
    await desk.press(READER, "form:address:files:skip")
    await desk.press(READER, "form:address:confirm:send")
    await answer(desk, 1)
    reply = await desk.press(READER, "menu:mine")
    lines = reply.text.splitlines()
    assert lines[1].startswith("№2 · Поиск документа · новый, ждёт библиотекаря · 23 нояб.")
    assert lines[2].startswith("№1 · Факт, дата, цифра · есть ответ · 23 нояб.")
    assert payloads(reply) == ["tk:show:2", "tk:show:1", "menu:main"]


async def test_show_one_ticket_with_its_fields_and_actions(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await submit_question(desk, READER, "Когда открыт инсулин?")
    reply = await desk.press(READER, "tk:show:1")
    assert "Запрос №1 — Факт, дата, цифра" in reply.text
    assert "Статус: новый, ждёт библиотекаря" in reply.text
    assert "Ответим до: вторник, 24 ноября, в 11:00" in reply.text
    assert "Вопрос: Когда открыт инсулин?" in reply.text
    assert payloads(reply) == ["tk:add:1", "tk:cancel:1", "menu:mine", "menu:main"]
    await answer(desk, 1)
    reply = await desk.press(READER, "tk:show:1")
    assert payloads(reply)[:5] == [f"tk:rate:1:{score}" for score in range(1, 6)]


async def test_add_a_message_and_files_to_a_ticket(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await submit_question(desk, READER, "Когда открыт инсулин?")
    reply = await desk.press(READER, "tk:add:1")
    assert "будут добавлены к запросу №1" in reply.text
    reply = await desk.say(READER, "Интересует точная дата")
    assert "Добавлено к запросу №1" in reply.text
    sent_before = len(desk.telegram.sent)
    for ref in ("p-1", "p-2"):
        await desk.say(
            READER,
            "",
            attachments=(Attachment(AttachmentKind.PHOTO, Platform.TELEGRAM, ref=ref),),
            media_group_id="album-7",
        )
    assert len(desk.telegram.sent) == sent_before + 1  # the album is acknowledged once
    messages = await desk.storage.tickets.messages(1)
    assert [m.kind for m in messages] == [TicketMessageKind.READER] * 4
    assert messages[1].text == "Интересует точная дата"
    assert [m.attachments[0]["ref"] for m in messages[2:]] == ["p-1", "p-2"]
    assert [m.id for _, m in desk.staff_desk.wrote] == [m.id for m in messages[1:]]
    reply = await desk.press(READER, "tk:show:1")
    assert "Запрос №1" in reply.text
    # Pressing a button ended «add to request»: text now goes to the open ticket.
    reply = await desk.say(READER, "И ещё вопрос")
    assert "Добавлено к вашему запросу №1" in reply.text


async def test_follow_up_reopens_an_answered_ticket_to_its_assignee(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await submit_question(desk, READER, "Когда открыт инсулин?")
    await answer(desk, 1, assign=True)
    await desk.press(READER, "tk:add:1")
    await desk.say(READER, "Уточните, пожалуйста, год")
    ticket = await desk.storage.tickets.get(1)
    assert ticket is not None and ticket.status is TicketStatus.IN_PROGRESS
    event = await last_event(desk, 1)
    assert event.actor == "reader" and event.to_status is TicketStatus.IN_PROGRESS
    [(told, message)] = desk.staff_desk.wrote
    assert told.status is TicketStatus.IN_PROGRESS and message.text == "Уточните, пожалуйста, год"


async def test_free_text_reopens_an_unassigned_answered_ticket_as_new(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await submit_question(desk, READER, "Когда открыт инсулин?")
    await answer(desk, 1)
    reply = await desk.say(READER, "Спасибо, а кто его открыл?")
    assert "Добавлено к вашему запросу №1" in reply.text
    assert payloads(reply) == ["menu:ask", "menu:mine", "menu:main"]
    ticket = await desk.storage.tickets.get(1)
    assert ticket is not None and ticket.status is TicketStatus.NEW
    assert (await last_event(desk, 1)).actor == "reader"
    # «It is a new question»: the text is offered for the new request.
    await desk.press(READER, "menu:ask")
    await desk.press(READER, "ask:other")
    reply = await desk.press(READER, "form:other:files:skip")
    assert "Вопрос: Спасибо, а кто его открыл?" in reply.text


async def test_free_text_with_no_open_ticket_offers_a_request(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await submit_question(desk, READER, "Когда открыт инсулин?")
    await desk.press(READER, "tk:cancel:1")
    await desk.press(READER, "tk:cancelyes:1")
    reply = await desk.say(READER, "Новый вопрос")
    assert "Хотите отправить это сообщение библиотекарю" in reply.text
    assert len(await desk.storage.tickets.messages(1)) == 2  # request and the cancel record


async def test_cancel_closes_the_ticket_and_tells_staff(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await submit_question(desk, READER, "Когда открыт инсулин?")
    reply = await desk.press(READER, "tk:cancel:1")
    assert "Отменить запрос №1?" in reply.text
    assert payloads(reply) == ["tk:cancelyes:1", "tk:show:1"]
    reply = await desk.press(READER, "tk:show:1")  # «No, keep it»
    ticket = await desk.storage.tickets.get(1)
    assert ticket is not None and ticket.status is TicketStatus.NEW
    await desk.press(READER, "tk:cancel:1")
    reply = await desk.press(READER, "tk:cancelyes:1")
    assert "Запрос №1 отменён" in reply.text
    ticket = await desk.storage.tickets.get(1)
    assert ticket is not None and ticket.status is TicketStatus.CLOSED
    event = await last_event(desk, 1)
    assert event.actor == "reader" and event.to_status is TicketStatus.CLOSED
    [(changed, record)] = desk.staff_desk.changed
    assert changed.status is TicketStatus.CLOSED
    assert record is not None and record.kind is TicketMessageKind.SYSTEM
    assert record.text == "Читатель отменил запрос."
    reply = await desk.press(READER, "tk:cancelyes:1")
    assert "уже закрыт" in desk.telegram.replies_to(READER)[-2].text
    assert len(desk.staff_desk.changed) == 1
    reply = await desk.press(READER, "tk:add:1")
    assert "уже закрыт" in reply.text and "menu:ask" in payloads(reply)


async def test_rating_with_a_comment(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await submit_question(desk, READER, "Когда открыт инсулин?")
    await answer(desk, 1)
    reply = await desk.press(READER, "tk:rate:1:5")
    assert "Спасибо за оценку 5 из 5" in reply.text
    assert payloads(reply) == ["tk:skipcomment:1"]
    [(_, record)] = desk.staff_desk.changed  # staff learn the score at once
    assert record is not None and record.text == "Читатель оценил ответ: 5 из 5."
    reply = await desk.say(READER, "Очень быстро, спасибо!")
    assert "Мы передали ваш комментарий библиотекарям" in reply.text
    ticket = await desk.storage.tickets.get(1)
    assert ticket is not None
    assert (ticket.rating, ticket.rating_comment) == (5, "Очень быстро, спасибо!")
    assert ticket.status is TicketStatus.ANSWERED  # a comment is not a follow-up
    [_, (changed, record)] = desk.staff_desk.changed
    assert changed.rating == 5
    assert record is not None and record.kind is TicketMessageKind.SYSTEM
    assert record.text == "Читатель оценил ответ: 5 из 5. Комментарий: Очень быстро, спасибо!"
    assert desk.staff_desk.wrote == []


async def test_rating_without_a_comment(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await submit_question(desk, READER, "Когда открыт инсулин?")
    await answer(desk, 1)
    await desk.press(READER, "tk:rate:1:3")
    reply = await desk.press(READER, "tk:skipcomment:1")
    assert "Спасибо за оценку" in reply.text
    ticket = await desk.storage.tickets.get(1)
    assert ticket is not None and (ticket.rating, ticket.rating_comment) == (3, None)
    [(_, record)] = desk.staff_desk.changed
    assert record is not None and record.text == "Читатель оценил ответ: 3 из 5."
    reply = await desk.press(READER, "tk:skipcomment:1")
    assert "устарела" in desk.telegram.replies_to(READER)[-2].text
    assert len(desk.staff_desk.changed) == 1


async def test_a_rating_left_without_a_word_still_reaches_staff(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await submit_question(desk, READER, "Когда открыт инсулин?")
    await answer(desk, 1)
    await desk.press(READER, "tk:rate:1:4")
    await desk.press(READER, "menu:main")
    [(_, record)] = desk.staff_desk.changed
    assert record is not None and record.text == "Читатель оценил ответ: 4 из 5."
    reply = await desk.say(READER, "А вот ещё вопрос")
    assert "Добавлено к вашему запросу №1" in reply.text  # not taken as a comment


async def test_an_unanswered_ticket_cannot_be_rated(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await submit_question(desk, READER, "Когда открыт инсулин?")
    for forged in ("tk:rate:1:5", "tk:rate:1:9", "tk:rate:1:0"):
        await desk.press(READER, forged)
        assert "устарела" in desk.telegram.replies_to(READER)[-2].text
    ticket = await desk.storage.tickets.get(1)
    assert ticket is not None and ticket.rating is None


async def test_my_requests_in_english(desk: Desk) -> None:
    await desk.say(READER, "/start", language_code="en")
    await desk.press(READER, "consent:yes")
    await submit_question(desk, READER, "When was insulin discovered?")
    reply = await desk.press(READER, "menu:mine")
    assert "No. 1 · A fact, date or figure · new, waiting for a librarian · Nov 23, 2026" in (
        reply.text
    )
    reply = await desk.press(READER, "tk:show:1")
    assert "We will answer by: Tuesday 24 November at 11:00" in reply.text
