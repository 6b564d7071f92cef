"""/forget and consent withdrawal through the reader service: confirmed by a button press
only, and leaving none of the reader's words or ids in the database or its file."""

from __future__ import annotations

from storage.models import Address, ConsentState, Platform
from tests.handlers.conftest import Desk
from tests.handlers.ticket_steps import consenting_reader, payloads, submit_question
from tests.storage.traces import bytes_holding, file_bytes, table_text, tables_holding

READER = Address(Platform.TELEGRAM, 7318245906113)
WORDS = ["квазибраминовых", "Тромбоплюмбия", "vorpalfungus", "ЧБ5550173", "Петрова"]
"""The requests, the follow-up, the renewal's card number and the reader's name."""


async def busy_reader(desk: Desk) -> list[int]:
    """Two requests, a follow-up and a renewal; returns the ticket numbers."""
    await consenting_reader(desk, READER)
    first = await submit_question(desk, READER, "Сколько квазибраминовых соединений известно?")
    await desk.say(READER, "И ещё: vorpalfungus")
    second = await submit_question(desk, READER, "Когда описана Тромбоплюмбия?")
    await desk.press(READER, "menu:loans")
    await desk.press(READER, "ln:ask")
    await desk.say(READER, "ЧБ5550173")
    await desk.press(READER, "form:renew:items:pick:all")
    await desk.press(READER, "form:renew:confirm:send")
    return [first.id, second.id]


async def test_forget_leaves_no_trace_and_has_the_staff_cards_replaced(desk: Desk) -> None:
    numbers = await busy_reader(desk)
    before = tables_holding(await table_text(desk.storage), WORDS, [READER.peer_id])
    assert {found.split(":")[0] for found in before} >= {"tickets", "ticket_messages", "outbox"}

    await desk.say(READER, "/forget")
    reply = await desk.press(READER, "forget:yes")

    assert "все ваши данные удалены" in reply.text
    assert sorted(ticket.id for ticket in desk.staff_desk.forgotten) == numbers
    assert tables_holding(await table_text(desk.storage), WORDS, [READER.peer_id]) == set()
    assert bytes_holding(file_bytes(desk.storage), WORDS, [READER.peer_id]) == set()


async def test_a_typed_number_never_confirms_erasure_where_buttons_are_shown(desk: Desk) -> None:
    await busy_reader(desk)
    reply = await desk.say(READER, "/forget")
    assert payloads(reply)[0] == "forget:yes"

    await desk.say(READER, "1")

    reader = await desk.storage.readers.get(READER)
    assert reader is not None and len(await desk.storage.tickets.for_reader(reader.id)) == 2
    assert desk.staff_desk.forgotten == []


async def test_a_client_without_buttons_is_told_erasure_takes_a_button(desk: Desk) -> None:
    await busy_reader(desk)
    await desk.say(READER, "/forget", buttons_supported=False)

    reply = await desk.say(READER, "1", buttons_supported=False)

    assert "только нажатием кнопки" in reply.text
    assert await desk.storage.readers.get(READER) is not None


async def test_withdrawing_consent_erases_requests_but_remembers_the_withdrawal(
    desk: Desk,
) -> None:
    numbers = await busy_reader(desk)
    await desk.press(READER, "consent:withdraw")
    await desk.say(READER, "1", buttons_supported=False)
    reader = await desk.storage.readers.get(READER)
    assert reader is not None and reader.has_consent, "a number confirms nothing"

    await desk.press(READER, "consent:withdraw-yes")

    reader = await desk.storage.readers.get(READER)
    assert reader is not None and reader.consent is ConsentState.WITHDRAWN
    assert sorted(ticket.id for ticket in desk.staff_desk.forgotten) == numbers
    assert tables_holding(await table_text(desk.storage), WORDS, []) == set()
    assert bytes_holding(file_bytes(desk.storage), WORDS, []) == set()
