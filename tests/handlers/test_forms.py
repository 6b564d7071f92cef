"""Multi-step forms: steps, back, cancel, files, restart in the middle, staff hand-off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.core.events import Event
from handlers.core.replies import Reply
from storage.database import Storage
from storage.models import Address, Platform
from tests.handlers.conftest import STAFF, Desk, build_service

READER = Address(Platform.TELEGRAM, 42)


def payloads(reply: Reply) -> list[str]:
    return [b.payload for b in reply.flat_buttons()]


async def consenting_reader(desk: Desk) -> None:
    await desk.say(READER, "/start")
    await desk.press(READER, "consent:yes")


async def test_renewal_form_walks_to_staff_through_the_outbox(desk: Desk) -> None:
    await consenting_reader(desk)
    await desk.press(READER, "menu:loans")
    reply = await desk.press(READER, "ln:ask")
    assert "читательского билета" in reply.text
    reply = await desk.say(READER, "<b>№1</b>;--")
    assert "до 32 букв" in desk.telegram.replies_to(READER)[-2].text
    reply = await desk.say(READER, "A-12345")
    assert "renew:items:pick:all" in ",".join(payloads(reply)).replace("form:", "")
    reply = await desk.press(READER, "form:renew:items:back")
    assert "читательского билета" in reply.text
    reply = await desk.say(READER, "A-12345")
    reply = await desk.press(READER, "form:renew:items:pick:all")
    assert "A-12345" in reply.text and "Все мои книги" in reply.text
    reply = await desk.press(READER, "form:renew:confirm:send")
    assert reply.text.startswith("Заявка на продление №1 передана библиотекарю.")
    assert "придёт сюда же, в этот чат" in reply.text
    reader = await desk.storage.readers.get(READER)
    assert reader is not None
    request = await desk.storage.renewals.get(1)
    assert request is not None and request.reader_id == reader.id
    assert (request.card_number, request.items) == ("A-12345", "Все мои книги")
    claimed = await desk.storage.outbox.claim(10, _far_future(), 30)
    assert len(claimed) == 1 and claimed[0].address == STAFF
    assert "A-12345" in claimed[0].payload["text"]
    assert "Анна Петрова (Telegram)" in claimed[0].payload["text"]
    assert claimed[0].payload["renewal"] == {"request": 1, "card": True}


async def test_restart_in_the_middle_resumes_at_the_same_step(desk: Desk) -> None:
    await consenting_reader(desk)
    await desk.press(READER, "menu:loans")
    await desk.press(READER, "ln:ask")
    await desk.say(READER, "B-777")
    # A new service and storage on the same database file: the process restarted.
    storage = Storage.open(desk.url, desk.clock)
    try:
        service = build_service(storage, desk.telegram, desk.vk, clock=desk.clock)
        await service.handle(Event(address=READER, sender_id=42, text="Анатомия человека, т. 2"))
        reply = desk.telegram.last(READER)
        assert "B-777" in reply.text and "Анатомия человека, т. 2" in reply.text
        assert "form:renew:confirm:send" in payloads(reply)
    finally:
        await storage.close()


async def test_cancel_leaves_the_form(desk: Desk) -> None:
    await consenting_reader(desk)
    await desk.press(READER, "menu:loans")
    await desk.press(READER, "ln:ask")
    await desk.press(READER, "form:renew:card:cancel")
    assert "Заполнение отменено" in desk.telegram.replies_to(READER)[-2].text
    reply = await desk.say(READER, "просто текст")
    assert "menu:ask" in payloads(reply)


async def test_button_from_another_step_is_refused_and_the_step_shown_again(desk: Desk) -> None:
    await consenting_reader(desk)
    await desk.press(READER, "menu:loans")
    await desk.press(READER, "ln:ask")
    reply = await desk.press(READER, "form:renew:confirm:send")
    assert "другому шагу" in desk.telegram.replies_to(READER)[-2].text
    assert "читательского билета" in reply.text
    assert await desk.storage.outbox.claim(10, _far_future(), 30) == []


def _far_future() -> datetime:
    return datetime.now(UTC) + timedelta(days=1)
