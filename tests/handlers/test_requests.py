"""Asking a librarian: the kinds, a guided form per kind, submission, deadlines and limits."""

from __future__ import annotations

from datetime import datetime

from handlers.core.config import TicketPolicy
from handlers.core.events import Attachment, AttachmentKind, Event
from storage.database import Storage
from storage.models import Address, Platform, TicketKind, TicketMessageKind, TicketStatus
from tests.handlers.conftest import MSK, Clock, Desk, build_service
from tests.handlers.staff_desk_double import RecordingStaffDesk
from tests.handlers.ticket_steps import consenting_reader, payloads, submit_question

READER = Address(Platform.TELEGRAM, 42)
VK_READER = Address(Platform.VK, 7001)


async def test_ask_offers_the_four_kinds_and_other_each_explained(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    reply = await desk.press(READER, "menu:ask")
    assert payloads(reply) == [
        "ask:thematic",
        "ask:address",
        "ask:clarifying",
        "ask:factographic",
        "ask:other",
        "menu:main",
    ]
    lines = reply.text.splitlines()
    assert len(lines) == 6
    assert "список литературы" in lines[1] and "где он и как его получить" in lines[2]
    assert "неполную" in lines[3] and "факт" in lines[4]


async def test_thematic_form_end_to_end(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await desk.press(READER, "menu:ask")
    reply = await desk.press(READER, "ask:thematic")
    assert "Тема запроса" in reply.text
    assert "menu:ask" in payloads(reply)  # «Back» on the first step goes to the kinds
    reply = await desk.say(READER, "Сахарный диабет 2 типа у пожилых")
    assert payloads(reply)[:4] == [
        "form:thematic:purpose:pick:research",
        "form:thematic:purpose:pick:clinical",
        "form:thematic:purpose:pick:teaching",
        "form:thematic:purpose:pick:study",
    ]
    await desk.press(READER, "form:thematic:purpose:pick:research")
    await desk.say(READER, "2015–2025")
    await desk.press(READER, "form:thematic:languages:pick:ru_en")
    reply = await desk.say(READER, "статьи, клинические рекомендации")
    assert "от 1 до 10" in reply.text
    for wrong in ("много", "0", "11", "-3"):
        await desk.say(READER, wrong)
        assert "Нужно число от 1 до 10" in desk.telegram.replies_to(READER)[-2].text
    reply = await desk.say(READER, "7")
    assert "form:thematic:files:skip" in payloads(reply)
    reply = await desk.press(READER, "form:thematic:files:skip")
    for expected in (
        "Подбор литературы по теме",
        "Тема: Сахарный диабет 2 типа у пожилых",
        "Цель: Научная работа, диссертация",
        "Годы: 2015–2025",
        "Языки: Русский и английский",
        "Виды документов: статьи, клинические рекомендации",
        "Источников не более: 7",
    ):
        assert expected in reply.text
    reply = await desk.press(READER, "form:thematic:confirm:send")
    assert "Запрос №1 принят" in reply.text
    assert payloads(reply) == ["menu:mine", "menu:main"]

    ticket = await desk.storage.tickets.get(1)
    assert ticket is not None and ticket.kind is TicketKind.THEMATIC
    assert ticket.status is TicketStatus.NEW
    assert ticket.fields == {
        "topic": "Сахарный диабет 2 типа у пожилых",
        "purpose": "Научная работа, диссертация",
        "years": "2015–2025",
        "languages": "Русский и английский",
        "doctypes": "статьи, клинические рекомендации",
        "titles": "7",
        "files": [],
    }
    # Three working days from Monday 11:00.
    assert ticket.deadline_at == datetime(2026, 11, 26, 11, 0, tzinfo=MSK)
    assert "четверг, 26 ноября, в 11:00" in reply.text
    [(opened, request)] = desk.staff_desk.opened
    assert opened.id == 1 and request.kind is TicketMessageKind.READER
    assert request.text is not None and "Тема: Сахарный диабет" in request.text
    messages = await desk.storage.tickets.messages(1)
    assert [m.kind for m in messages] == [TicketMessageKind.READER]


async def test_the_titles_cap_is_configurable(desk: Desk) -> None:
    clock = Clock()
    service = build_service(
        desk.storage,
        desk.telegram,
        desk.vk,
        clock=clock,
        tickets=TicketPolicy(thematic_max_titles=3),
    )
    await service.handle(Event(address=READER, sender_id=42, text="/start"))
    await service.handle(Event(address=READER, sender_id=42, payload="consent:yes"))
    await service.handle(Event(address=READER, sender_id=42, payload="ask:thematic"))
    for answer in ("Тема", "Для статьи", "2020–2025", "русский", "статьи", "5"):
        await service.handle(Event(address=READER, sender_id=42, text=answer))
    assert "от 1 до 3" in desk.telegram.replies_to(READER)[-2].text
    await service.handle(Event(address=READER, sender_id=42, text="3"))
    assert "form:thematic:files:skip" in payloads(desk.telegram.last(READER))


async def test_address_form_with_files_and_an_album_counted_once(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await desk.press(READER, "ask:address")
    reply = await desk.say(READER, "Кардиология, 2019, № 4")
    assert "фото или документ" in reply.text
    sent_before = len(desk.telegram.sent)
    for ref in ("file-1", "file-2", "file-3"):
        await desk.say(
            READER,
            "",
            attachments=(Attachment(AttachmentKind.PHOTO, Platform.TELEGRAM, ref=ref),),
            media_group_id="album-1",
        )
    assert len(desk.telegram.sent) == sent_before + 1  # one acknowledgement for the album
    document = Attachment(
        AttachmentKind.DOCUMENT, Platform.TELEGRAM, ref="doc-1", file_name="a.pdf"
    )
    reply = await desk.say(READER, "", attachments=(document,))
    assert "Файлов получено: 4" in reply.text
    reply = await desk.press(READER, "form:address:files:skip")
    assert "Сведения о документе: Кардиология, 2019, № 4" in reply.text
    assert "Файлы: приложено 4" in reply.text
    await desk.press(READER, "form:address:confirm:send")
    ticket = await desk.storage.tickets.get(1)
    assert ticket is not None and ticket.kind is TicketKind.ADDRESS
    refs = ["file-1", "file-2", "file-3", "doc-1"]
    assert [f["ref"] for f in ticket.fields["files"]] == refs
    [(_, request)] = desk.staff_desk.opened
    assert [a["ref"] for a in request.attachments] == refs
    # One working day for an address request.
    assert ticket.deadline_at == datetime(2026, 11, 24, 11, 0, tzinfo=MSK)


async def test_clarifying_form(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    reply = await desk.press(READER, "ask:clarifying")
    assert "ссылку так, как она у вас есть" in reply.text
    await desk.say(READER, "Иванов И. И. Хирургия. — М., 19??")
    await desk.press(READER, "form:clarifying:files:skip")
    reply = await desk.press(READER, "form:clarifying:confirm:send")
    assert "Запрос №1 принят" in reply.text
    ticket = await desk.storage.tickets.get(1)
    assert ticket is not None and ticket.kind is TicketKind.CLARIFYING
    assert ticket.fields["reference"] == "Иванов И. И. Хирургия. — М., 19??"


async def test_factographic_and_other_forms_on_vk(desk: Desk) -> None:
    await consenting_reader(desk, VK_READER)
    ticket = await submit_question(desk, VK_READER, "Когда открыт инсулин?")
    assert ticket.kind is TicketKind.FACTOGRAPHIC
    assert ticket.fields == {"question": "Когда открыт инсулин?", "files": []}
    await desk.press(VK_READER, "ask:other")
    await desk.say(VK_READER, "Можно ли записаться онлайн?")
    await desk.press(VK_READER, "form:other:files:skip")
    reply = await desk.press(VK_READER, "form:other:confirm:send")
    assert "Запрос №2 принят" in reply.text
    other = await desk.storage.tickets.get(2)
    assert other is not None and other.kind is TicketKind.OTHER
    assert len(desk.staff_desk.opened) == 2


async def test_back_and_cancel_work_on_every_step(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await desk.press(READER, "ask:thematic")
    await desk.say(READER, "Тема")
    await desk.press(READER, "form:thematic:purpose:pick:study")
    reply = await desk.press(READER, "form:thematic:years:back")
    assert "Для чего нужна литература" in reply.text
    reply = await desk.press(READER, "form:thematic:purpose:back")
    assert "Тема запроса" in reply.text
    reply = await desk.press(READER, "menu:ask")  # «Back» on the first step
    assert "ask:thematic" in payloads(reply)
    reply = await desk.say(READER, "просто текст")
    assert "menu:ask" in payloads(reply)  # the form was left

    await desk.press(READER, "ask:factographic")
    await desk.say(READER, "Вопрос")
    reply = await desk.press(READER, "form:factographic:files:skip")
    assert "form:factographic:confirm:back" in payloads(reply)
    await desk.press(READER, "form:factographic:confirm:cancel")
    assert "Заполнение отменено" in desk.telegram.replies_to(READER)[-2].text
    reader = await desk.storage.readers.get(READER)
    assert reader is not None
    assert await desk.storage.tickets.for_reader(reader.id) == []
    assert desk.staff_desk.opened == []


async def test_text_written_first_answers_the_first_question(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    reply = await desk.say(READER, "Есть ли у вас журнал «Кардиология» за 2019 год?")
    assert "menu:ask" in payloads(reply)
    await desk.press(READER, "menu:ask")
    reply = await desk.press(READER, "ask:address")
    assert "фото или документ" in reply.text  # the details step is already answered
    reply = await desk.press(READER, "form:address:files:skip")
    assert "журнал «Кардиология» за 2019 год" in reply.text


async def test_daily_limit_keeps_the_answers_for_tomorrow(desk: Desk) -> None:
    service = build_service(
        desk.storage,
        desk.telegram,
        desk.vk,
        staff_desk=desk.staff_desk,
        clock=desk.clock,
        tickets=TicketPolicy(daily_limit=2),
    )
    desk.service = service
    await consenting_reader(desk, READER)
    await submit_question(desk, READER, "Первый")
    await submit_question(desk, READER, "Второй")
    await desk.press(READER, "ask:factographic")
    await desk.say(READER, "Третий")
    await desk.press(READER, "form:factographic:files:skip")
    reply = await desk.press(READER, "form:factographic:confirm:send")
    assert "лимит новых запросов исчерпан" in reply.text and "2 в день" in reply.text
    assert payloads(reply) == [
        "form:factographic:confirm:send",
        "form:factographic:confirm:cancel",
    ]
    assert len(desk.staff_desk.opened) == 2
    # The library's next day (Moscow midnight is 21:00 UTC): the same button sends it.
    desk.clock.now = datetime(2026, 11, 24, 0, 5, tzinfo=MSK)
    reply = await desk.press(READER, "form:factographic:confirm:send")
    assert "Запрос №3 принят" in reply.text
    ticket = await desk.storage.tickets.get(3)
    assert ticket is not None and ticket.fields["question"] == "Третий"


async def test_out_of_hours_acknowledgement_says_when_the_library_will_answer(
    desk: Desk,
) -> None:
    desk.clock.now = datetime(2026, 11, 27, 19, 30, tzinfo=MSK)  # Friday evening
    await consenting_reader(desk, READER)
    await submit_question(desk, READER, "Когда открыт инсулин?")
    reply = desk.telegram.last(READER)
    assert "Сейчас мы не работаем. Возьмёмся за запрос:" in reply.text
    assert "понедельник, 30 ноября, в 09:00" in reply.text
    assert "Ответим до: понедельник, 30 ноября, в 18:00" in reply.text


async def test_acknowledgement_in_english(desk: Desk) -> None:
    desk.clock.now = datetime(2026, 12, 31, 12, 0, tzinfo=MSK)  # a day off before New Year
    await desk.say(READER, "/start", language_code="en")
    await desk.press(READER, "consent:yes")
    await submit_question(desk, READER, "When was insulin discovered?")
    reply = desk.telegram.last(READER)
    assert "Request No. 1 is accepted" in reply.text
    assert "We are closed now. We will start on your request:" in reply.text
    assert "Monday 11 January at 09:00" in reply.text


async def test_restart_mid_form_resumes_at_the_same_step(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    await desk.press(READER, "ask:thematic")
    await desk.say(READER, "Реабилитация после инсульта")
    await desk.press(READER, "form:thematic:purpose:pick:clinical")
    storage = Storage.open(desk.url, desk.clock)
    staff_desk = RecordingStaffDesk()
    try:
        service = build_service(
            storage, desk.telegram, desk.vk, staff_desk=staff_desk, clock=desk.clock
        )
        await service.handle(Event(address=READER, sender_id=42, text="2020–2025"))
        assert "На каких языках" in desk.telegram.last(READER).text
        for answer in ("русский", "любые", "5"):
            await service.handle(Event(address=READER, sender_id=42, text=answer))
        await service.handle(
            Event(address=READER, sender_id=42, payload="form:thematic:files:skip")
        )
        summary = desk.telegram.last(READER).text
        assert "Реабилитация после инсульта" in summary and "Клиническая практика" in summary
        await service.handle(
            Event(address=READER, sender_id=42, payload="form:thematic:confirm:send")
        )
        assert "Запрос №1 принят" in desk.telegram.last(READER).text
        assert len(staff_desk.opened) == 1
    finally:
        await storage.close()
