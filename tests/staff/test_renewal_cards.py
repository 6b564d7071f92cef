"""Renewal requests in the staff chat: the card, its buttons and typed dates and reasons, the
first decision winning, and the reader told the outcome in their language."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.core.replies import Reply
from handlers.loans.ports import RenewalDesk
from handlers.loans.staff.desk import RenewalStaffDesk
from storage.models import Address, Platform, RenewalCause, RenewalRequest, RenewalStatus
from tests.handlers.hostile_strategies import hostile_text
from tests.staff.conftest import VK_STAFF, Desk, DeskFactory

READER = Address(Platform.TELEGRAM, 42)
VK_READER = Address(Platform.VK, 4242)
OTHER_STAFF = 7002


async def opened(desk: Desk, address: Address = READER, language: str = "ru") -> RenewalRequest:
    reader = await desk.reader(address, language=language)
    request = await desk.storage.renewals.create(
        reader.id, "A-12345", RenewalCause.MANUAL, items="Анатомия, Физиология"
    )
    port: RenewalDesk = desk.renewal_desk
    assert await port.request_opened(request)
    await desk.drain()
    stored = await desk.storage.renewals.get(request.id)
    assert stored is not None
    return stored


def payloads(reply: Reply) -> list[str]:
    return [button.payload for button in reply.flat_buttons()]


def card_now(desk: Desk, request: RenewalRequest) -> Reply:
    """The card as staff see it: the last edit of its message, or the card as posted."""
    assert request.thread is not None
    message_id = request.thread.card_message_id
    edits = [reply for _, mid, reply in desk.staff_messenger.edits if mid == message_id]
    return edits[-1] if edits else desk.staff_posts()[0]


async def test_the_card_shows_reader_card_number_and_items_with_the_decisions(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()

    request = await opened(desk)

    card = desk.staff_posts()[0]
    assert card.text.startswith("🔁 Заявка на продление №1")
    assert "Читатель: Анна Петрова (Telegram)" in card.text
    assert "Читательский билет: A-12345" in card.text
    assert "Книги: Анатомия, Физиология" in card.text
    assert payloads(card) == ["rn:d14:1", "rn:d30:1", "rn:date:1", "rn:refuse:1"]
    assert request.thread is not None and request.thread.card_message_id == 1


async def test_plus_14_days_renews_from_today_tells_the_reader_and_edits_the_card(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    request = await opened(desk)

    await desk.press("rn:d14:1")

    stored = await desk.storage.renewals.get(request.id)
    assert stored is not None and stored.status is RenewalStatus.RENEWED
    assert stored.renewed_until == desk.clock.now.date().replace(day=7, month=12)
    assert stored.decided_by is not None and stored.decided_by.name == "Мария Иванова"
    assert desk.staff_messenger.notices[-1] == "Заявка №1 решена, читатель получит ответ"
    card = card_now(desk, stored)
    assert "✅ Продлено до 7 декабря 2026. Решение: Мария Иванова" in card.text
    assert payloads(card) == []
    told = desk.telegram.replies_to(READER)
    assert [reply.text for reply in told] == [
        "✅ Заявка на продление №1: книги продлены до 7 декабря 2026."
    ]


async def test_an_entered_date_is_validated_then_renews(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    request = await opened(desk)
    card_id = 1

    await desk.press("rn:date:1")
    assert (desk.staff_messenger.notices[-1] or "").startswith("Ответьте на карточку №1 датой")
    waiting = await desk.storage.renewals.get(request.id)
    assert waiting is not None and waiting.awaiting == "date"
    assert "ждёт дату" in card_now(desk, waiting).text
    await desk.staff_says("завтра", reply_to=card_id)
    await desk.staff_says("31.02.2027", reply_to=card_id)
    await desk.staff_says("01.11.2026", reply_to=card_id)
    await desk.staff_says("15.01.2029", reply_to=card_id)
    still = await desk.storage.renewals.get(request.id)
    assert still is not None and still.status is RenewalStatus.OPEN
    await desk.staff_says("15.01.2027", reply_to=card_id)

    texts = desk.texts()
    assert "Не понял дату. Напишите её так: 15.01.2027" in texts
    assert texts.count("Не понял дату. Напишите её так: 15.01.2027") == 2
    assert "Эта дата уже прошла или сегодня. Нужна дата в будущем." in texts
    assert "Дата дальше чем через год — проверьте её, пожалуйста." in texts
    assert texts[-1] == "Заявка №1 решена, читатель получит ответ"
    decided = await desk.storage.renewals.get(request.id)
    assert decided is not None and str(decided.renewed_until) == "2027-01-15"
    assert desk.telegram.replies_to(READER)[-1].text == (
        "✅ Заявка на продление №1: книги продлены до 15 января 2027."
    )


async def test_a_refusal_with_a_reason_reaches_a_vk_reader_in_english(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk(VK_STAFF)
    request = await opened(desk, VK_READER, language="en")

    await desk.press("rn:refuse:1")
    reasons = card_now(desk, request)
    assert "rn:why:1:reserved" in payloads(reasons)
    assert len(reasons.flat_buttons()) <= 10, "a VK inline keyboard holds 10 buttons"
    assert len(reasons.buttons) <= 6, "and 6 rows"
    await desk.press("rn:why:1:reserved")

    decided = await desk.storage.renewals.get(request.id)
    assert decided is not None and decided.status is RenewalStatus.REFUSED
    assert decided.refusal == "reserved"
    assert "❌ Отказано: Заказана другим читателем." in card_now(desk, decided).text
    assert desk.vk.replies_to(VK_READER)[-1].text == (
        "❌ Renewal request No. 1: the books could not be renewed — "
        "another reader has reserved this book."
    )


async def test_a_refusal_in_staff_words(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    request = await opened(desk)

    await desk.press("rn:refuse:1")
    await desk.press("rn:other:1")
    await desk.staff_says("Книга нужна для выставки", reply_to=1)

    decided = await desk.storage.renewals.get(request.id)
    assert decided is not None and decided.refusal_text == "Книга нужна для выставки"
    assert desk.telegram.replies_to(READER)[-1].text == (
        "❌ Заявка на продление №1: продлить не получилось — Книга нужна для выставки"
    )


async def test_the_first_decision_wins_and_the_second_presser_is_told(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk(admins=frozenset({OTHER_STAFF}))
    request = await opened(desk)

    await desk.press("rn:d14:1")
    await desk.press("rn:why:1:overdue", sender=OTHER_STAFF, name="Ольга")
    await desk.press("rn:d30:1", sender=OTHER_STAFF, name="Ольга")

    decided = await desk.storage.renewals.get(request.id)
    assert decided is not None and decided.status is RenewalStatus.RENEWED
    assert desk.staff_messenger.notices[-2:] == [
        "Заявку №1 уже решил(а) Мария Иванова",
        "Заявку №1 уже решил(а) Мария Иванова",
    ]
    assert len(desk.telegram.replies_to(READER)) == 1, "the reader is told once"


async def test_forged_presses_and_unrelated_replies_change_nothing(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    request = await opened(desk)

    for payload in ("rn:d14:999", "rn:d14:abc", "rn:why:1:nonsense", "rn:zzz:1", "rn:d14"):
        await desk.press(payload)
    posts = len(desk.texts())
    await desk.staff_says("Кто возьмёт эту заявку?", reply_to=1)
    assert len(desk.texts()) == posts, "colleagues' talk in the thread gets no answer"
    await desk.staff_says("15.01.2027", reply_to=1)

    stored = await desk.storage.renewals.get(request.id)
    assert stored is not None and stored.status is RenewalStatus.OPEN
    assert desk.staff_messenger.notices == ["Эта кнопка устарела."] * 5
    assert desk.texts()[-1] == "Чтобы решить заявку №1, нажмите кнопку на её карточке."
    assert desk.telegram.replies_to(READER) == []
    await desk.press("rn:d30:1")
    posts = len(desk.texts())
    await desk.staff_says("Готово, спасибо", reply_to=1)
    await desk.staff_says("20.01.2027", reply_to=1)
    assert desk.texts()[posts:] == ["Заявку №1 уже решил(а) Мария Иванова"]


async def test_in_a_forum_the_request_gets_its_topic_and_messages_there_decide(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk(forum=True)
    request = await opened(desk)

    assert desk.telegram.topics == ["Продление №1 · Анна Петрова"]
    assert request.thread is not None and request.thread.topic_id == 101
    await desk.press("rn:date:1")
    await desk.staff_says("15.01.2027", thread_id=101)

    decided = await desk.storage.renewals.get(request.id)
    assert decided is not None and decided.status is RenewalStatus.RENEWED


async def test_a_decision_whose_reader_answer_cannot_be_stored_is_not_kept(
    make_desk: DeskFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = await make_desk()
    request = await opened(desk)

    async def broken(self: RenewalStaffDesk, request: RenewalRequest) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(RenewalStaffDesk, "tell_reader", broken)
    await desk.press("rn:d14:1")

    stored = await desk.storage.renewals.get(request.id)
    assert stored is not None and stored.status is RenewalStatus.OPEN, "rolled back"
    monkeypatch.undo()
    await desk.press("rn:d14:1")
    decided = await desk.storage.renewals.get(request.id)
    assert decided is not None and decided.status is RenewalStatus.RENEWED
    assert len(desk.telegram.replies_to(READER)) == 1


async def test_renewals_lists_the_requests_waiting_for_a_decision(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    await desk.staff_says("/renewals")
    assert desk.texts()[-1] == "Все заявки на продление решены."
    await opened(desk)
    other = await desk.reader(VK_READER, "Олег Сидоров")
    second = await desk.storage.renewals.create(other.id, "B-7", RenewalCause.FALLBACK)
    await desk.renewal_desk.request_opened(second)
    await desk.press("rn:d14:1")

    await desk.staff_says("/renewals")

    assert desk.texts()[-1] == (
        "Заявки на продление, ждущие решения (1):\n№2 · Олег Сидоров · билет B-7 · 23.11.2026 12:00"
    )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    texts=st.lists(hostile_text, min_size=1, max_size=6),
    awaiting=st.sampled_from(["rn:date:1", "rn:other:1", "rn:back:1"]),
)
async def test_no_hostile_date_or_reason_fails_the_staff_event(
    make_desk: DeskFactory,
    caplog: pytest.LogCaptureFixture,
    texts: list[str],
    awaiting: str,
) -> None:
    desk = await make_desk()
    await opened(desk)
    await desk.press(awaiting)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        for text in texts:
            await desk.staff_says(text, reply_to=1)
    assert [r.message for r in caplog.records if "failed" in r.message] == [], texts
