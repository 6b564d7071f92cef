"""A reader asked to be forgotten: their cards in the staff chat say so, and nothing the real
staff desk queued about them (cards, thread posts, answers) is left in the database."""

from __future__ import annotations

import pytest

from handlers.core.messenger import PermanentError
from storage.models import Address, Platform, TicketMessageKind
from tests.staff.conftest import DeskFactory
from tests.storage.traces import bytes_holding, file_bytes, table_text, tables_holding

READER = Address(Platform.TELEGRAM, 7318245906113)
NAME = "Ольга Зоркенштейн"
WORDS = ["Зоркенштейн", "квазибраминовых", "vorpalfungus", "плюмбофилина"]


async def test_forgotten_reader_cards_are_replaced_and_no_trace_is_left(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk(forum=True)
    reader = await desk.reader(READER, name=NAME)
    ticket, _ = await desk.open_ticket(reader, "Обзор квазибраминовых соединений")
    follow_up = await desk.storage.tickets.add_message(
        ticket.id, TicketMessageKind.READER, "И ещё vorpalfungus"
    )
    await desk.port.reader_wrote(await desk.ticket(ticket.id), follow_up)
    await desk.drain()
    await desk.staff_says("Нашли статьи о плюмбофилина", thread_id=101)
    assert any(NAME in reply.text for reply in desk.staff_posts())
    assert tables_holding(await table_text(desk.storage), WORDS, [READER.peer_id])

    staff_posts = [n for n, (to, _) in enumerate(desk.telegram.sent, 1) if to == desk.chat]
    assert len(staff_posts) >= 3, "the card, the follow-up and the answer's acknowledgement"

    erased = await desk.storage.readers.forget(reader.id)
    await desk.port.reader_forgotten(erased)
    await desk.drain()

    chat, message_id, card = desk.telegram.edits[-1]
    assert (chat, message_id) == (desk.chat, 1)
    assert f"Запрос №{ticket.id}: читатель попросил удалить свои данные" in card.text
    assert NAME not in card.text and card.buttons == ()
    assert desk.telegram.deleted == [(desk.chat, number) for number in staff_posts[1:]]
    assert desk.telegram.renamed == [(101, f"№{ticket.id} · данные удалены по просьбе читателя")]
    assert tables_holding(await table_text(desk.storage), WORDS, [READER.peer_id]) == set()
    assert bytes_holding(file_bytes(desk.storage), WORDS, [READER.peer_id]) == set()


async def test_posts_too_old_to_delete_stay_and_the_rest_goes_on(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    reader = await desk.reader(READER, name=NAME)
    ticket, _ = await desk.open_ticket(reader, "Обзор квазибраминовых соединений")
    for text in ("первое vorpalfungus", "второе vorpalfungus"):
        message = await desk.storage.tickets.add_message(ticket.id, TicketMessageKind.READER, text)
        await desk.port.reader_wrote(await desk.ticket(ticket.id), message)
        await desk.drain()
    desk.telegram.undeletable.add(2)

    await desk.port.reader_forgotten(await desk.storage.readers.forget(reader.id))

    assert desk.telegram.deleted == [(desk.chat, 3)]
    assert "попросил удалить свои данные" in desk.telegram.edits[-1][2].text


async def test_a_card_that_cannot_be_edited_gets_the_notice_under_it(
    make_desk: DeskFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER, name=NAME))

    async def refuse(*_: object) -> None:
        raise PermanentError("message can't be edited")

    monkeypatch.setattr(desk.telegram, "edit", refuse)
    erased = await desk.storage.readers.forget((await desk.ticket(ticket.id)).reader_id or 0)
    await desk.port.reader_forgotten(erased)
    await desk.drain()

    notice = desk.staff_posts()[-1]
    assert "читатель попросил удалить свои данные" in notice.text
    assert notice.reply_to == 1
    assert tables_holding(await table_text(desk.storage), WORDS, [READER.peer_id]) == set()
