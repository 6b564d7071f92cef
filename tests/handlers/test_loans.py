"""My loans through the reader service with the demo circulation system: linking a card with
a PIN, the list, renewing one and all, the fallback to staff, and hostile presses."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest

from bot.ils.demo import BLOCKED_CARD, DEMO_CARD, EXPIRED_CARD, DemoIls
from handlers.loans.ils import IlsUnavailable, Loan, PatronCheck, Renewal
from storage.models import RenewalCause, RenewalStatus
from tests.handlers.conftest import STAFF, Desk, build_service
from tests.handlers.loans_support import (
    READER,
    SECRET_PIN,
    VK_READER,
    card_of,
    consenting,
    linked,
    payloads,
    typed,
    with_demo,
)
from tests.storage.traces import file_bytes


@pytest.fixture
def demo(desk: Desk) -> DemoIls:
    return with_demo(desk)


async def test_linking_with_a_pin_deletes_its_message_on_telegram(
    desk: Desk, demo: DemoIls
) -> None:
    await consenting(desk)
    reply = await desk.press(READER, "menu:loans")
    assert payloads(reply) == ["ln:link", "menu:main"]
    await desk.press(READER, "ln:link")
    prompt = await desk.say(READER, DEMO_CARD)
    assert "попробует удалить ваше сообщение" in prompt.text

    done = await typed(desk, READER, SECRET_PIN, message_id=777)

    assert done.text.startswith("Читательский билет 1000001 привязан. Здравствуйте, Анна")
    assert done.text.endswith("Сообщение с PIN-кодом удалено из чата.")
    assert desk.telegram.deleted == [(READER, 777)]
    card = await card_of(desk)
    assert card is not None and (card.number, card.reminder_days) == (DEMO_CARD, 3)


async def test_on_vk_the_reader_is_asked_to_delete_the_pin_and_nothing_claims_it_gone(
    desk: Desk, demo: DemoIls
) -> None:
    await consenting(desk, VK_READER)
    await desk.press(VK_READER, "menu:loans")
    await desk.press(VK_READER, "ln:link")
    prompt = await desk.say(VK_READER, DEMO_CARD)
    assert "Удалить ваше сообщение в VK бот не может" in prompt.text

    done = await typed(desk, VK_READER, SECRET_PIN, message_id=55)

    assert "удалено" not in done.text
    assert desk.vk.deleted == []


@pytest.mark.parametrize(
    ("card", "pin", "answer"),
    [
        ("9999999", "0000", "Такого читательского билета в библиотеке нет. Проверьте номер."),
        (DEMO_CARD, "0000", "PIN-код не подошёл. Проверьте его и попробуйте ещё раз."),
        (EXPIRED_CARD, "2345", "Срок действия читательского билета истёк."),
    ],
)
async def test_a_card_that_does_not_check_out_is_told_in_plain_words_and_not_linked(
    desk: Desk, demo: DemoIls, card: str, pin: str, answer: str
) -> None:
    await consenting(desk)
    await desk.press(READER, "ln:link")
    await desk.say(READER, card)

    reply = await typed(desk, READER, pin, message_id=9)

    assert reply.text.startswith(answer)
    assert await card_of(desk) is None


async def test_a_blocked_card_links_with_a_warning_and_the_library_s_words(
    desk: Desk, demo: DemoIls
) -> None:
    await consenting(desk)
    await desk.press(READER, "ln:link")
    await desk.say(READER, BLOCKED_CARD)
    await typed(desk, READER, "3456", message_id=9)

    texts = [reply.text for reply in desk.telegram.replies_to(READER)[-3:]]
    assert texts[0].startswith("Читательский билет 1000003 привязан.")
    assert texts[1].startswith("На билете есть ограничение")
    assert texts[2].startswith(
        "Сообщение библиотеки: Задолженность 150 руб. Оплатите её на абонементе."
    )


async def test_my_loans_soonest_first_with_the_overdue_one_marked_and_pages(
    desk: Desk, demo: DemoIls
) -> None:
    await linked(desk)

    reply = await desk.press(READER, "menu:loans")

    lines = reply.text.splitlines()
    assert lines[0] == "Книги на билете 1000001 (5), ближайший срок сверху:"
    assert lines[1] == "Страница 1 из 2"
    assert lines[2].startswith("1. ⚠️ Кукес В. Г. Клиническая фармакология — просрочена")
    assert lines[3].startswith("2. Сапин М. Р. Анатомия человека. Т. 1 — вернуть до ")
    assert lines[4].startswith("3. Судаков К. В. Нормальная физиология — вернуть до ")
    assert lines[5] == "    продлить нельзя: эту книгу уже заказал другой читатель."
    assert lines[6].startswith("4. Мухин Н. А. Внутренние болезни")
    assert lines[7].endswith("книгу уже продлевали столько раз, сколько разрешают правила.")
    assert len(lines) == 8
    buttons = payloads(reply)
    assert [p.split(":")[0:2] for p in buttons[:5]] == [["ln", "one"]] * 4 + [["ln", "all"]]
    assert buttons[-4:] == ["lr:show", "ln:unlink", "ln:page:1", "menu:main"]
    assert len(buttons) <= 10 and len(reply.buttons) <= 6, "VK's inline keyboard limits"
    second = await desk.press(READER, "ln:page:1")
    assert "5. Афанасьев Ю. И. Гистология" in second.text
    assert payloads(second)[-4:] == ["lr:show", "ln:unlink", "ln:page:0", "menu:main"]
    confirm = await desk.press(READER, "ln:unlink")
    assert payloads(confirm) == ["ln:unlinkyes", "menu:loans"]
    typed_yes = await desk.say(READER, "1", buttons_supported=False)
    assert typed_yes.text.startswith("Удаление данных подтверждается только нажатием кнопки")
    assert await card_of(desk) is not None
    done = await desk.press(READER, "ln:unlinkyes")
    assert done.text == "Читательский билет отвязан, бот удалил его номер."
    assert await card_of(desk) is None


async def test_renew_one_gives_the_new_date_and_renew_all_the_reasons(
    desk: Desk, demo: DemoIls
) -> None:
    await linked(desk)
    listing = await desk.press(READER, "menu:loans")
    anatomy = payloads(listing)[1]

    one = await desk.press(READER, anatomy)

    due = desk.clock.now.date().toordinal() + 2 + 14
    assert one.text.startswith("✅ «Сапин М. Р. Анатомия человека. Т. 1» продлена до ")
    assert one.text.endswith(f"{_date_ru(due)}.")
    listing = await desk.press(READER, "menu:loans")
    everything = await desk.press(READER, payloads(listing)[4])
    parts = everything.text.split("\n\n")
    assert parts[0] == (
        "❌ «Кукес В. Г. Клиническая фармакология» продлить нельзя: срок возврата уже прошёл, "
        "а просроченные книги не продлеваются."
    )
    assert parts[1] == (
        "❌ «Судаков К. В. Нормальная физиология» продлить нельзя: эту книгу уже заказал "
        "другой читатель.\nСообщение библиотеки: Книгу ждёт другой читатель."
    )
    assert "книгу уже продлевали столько раз, сколько разрешают правила." in parts[2]
    assert "продлить её можно будет ближе к сроку возврата." in parts[3]
    assert "продлить её можно будет ближе к сроку возврата." in parts[4]


async def test_stale_and_forged_presses_get_a_clear_answer(desk: Desk, demo: DemoIls) -> None:
    await linked(desk)
    old = payloads(await desk.press(READER, "menu:loans"))
    await desk.press(READER, old[1])
    await desk.press(READER, "menu:loans")

    stale = desk.telegram.replies_to(READER)
    await desk.press(READER, old[0])
    texts = [reply.text for reply in desk.telegram.replies_to(READER)[len(stale) :]]
    assert texts[0] == "Этот список устарел. Вот актуальный:"
    assert texts[1].startswith("Книги на билете 1000001")
    for forged in ("ln:one:aaaa:0", "ln:one:x", "ln:all", "ln:page:99999", "ln:what"):
        reply = await desk.press(READER, forged)
        assert reply.text, forged
    still = await desk.storage.readers.get(READER)
    assert still is not None and await desk.storage.renewals.for_reader(still.id) == []


class DownIls:
    """A circulation system that lists loans and then stops answering."""

    needs_pin = False

    def __init__(self, loans: Sequence[Loan]) -> None:
        self._loans = loans
        self.down = False

    async def verify(self, card: str, pin: str | None) -> PatronCheck:
        return await DemoIls().verify(card, "1234")

    async def loans(self, card: str) -> Sequence[Loan]:
        if self.down:
            raise IlsUnavailable("connection refused")
        return self._loans

    async def renew(self, card: str, loan_id: str) -> Renewal:
        raise IlsUnavailable("connection refused")

    async def renew_all(self, card: str) -> Sequence[Renewal]:
        raise IlsUnavailable("read timed out")

    async def close(self) -> None:
        """Nothing to release."""


async def test_when_the_system_is_down_the_renewal_becomes_a_staff_request(desk: Desk) -> None:
    loans = await DemoIls(desk.clock).loans(DEMO_CARD)
    down = DownIls(loans)
    desk.service = build_service(desk.storage, desk.telegram, desk.vk, clock=desk.clock, ils=down)
    await consenting(desk)
    await desk.press(READER, "ln:link")
    await desk.say(READER, DEMO_CARD)
    listing = await desk.press(READER, "menu:loans")

    reply = await desk.press(READER, payloads(listing)[4])

    assert reply.text.startswith(
        "Система библиотеки сейчас не отвечает. Ваша просьба о продлении передана "
        "библиотекарю: заявка №1."
    )
    request = await desk.storage.renewals.get(1)
    assert request is not None and request.cause is RenewalCause.FALLBACK
    assert request.status is RenewalStatus.OPEN and request.card_number == DEMO_CARD
    assert [loan.loan_id for loan in request.loans] == [
        "d-pharm",
        "d-anatomy",
        "d-physio",
        "d-internal",
        "d-histo",
    ]
    item = (await desk.storage.outbox.claim(10, desk.clock.now.replace(year=2100), 30))[0]
    assert item.address == STAFF and item.payload["renewal"] == {"request": 1, "card": True}
    assert "Система библиотеки не ответила боту" in item.payload["text"]
    assert "Кукес В. Г. Клиническая фармакология — срок" in item.payload["text"]

    down.down = True
    listing = await desk.press(READER, "menu:loans")
    assert listing.text.startswith("Система библиотеки сейчас не отвечает")
    assert payloads(listing)[0] == "ln:ask"
    form = await desk.press(READER, "ln:ask")
    assert "Какие книги продлить?" in form.text, "the linked card is filled in"


async def test_the_manual_backend_asks_staff_and_forget_erases_card_and_requests(
    desk: Desk,
) -> None:
    await consenting(desk)
    manual = await desk.press(READER, "menu:loans")
    assert manual.text.startswith("Бот пока не видит, какие книги у вас на руках")
    assert payloads(manual) == ["ln:ask", "ln:link", "menu:main"]
    await desk.press(READER, "ln:link")
    await desk.say(READER, "ЧБ-5550173")
    await desk.press(READER, "ln:ask")
    await desk.press(READER, "form:renew:items:pick:all")
    done = await desk.press(READER, "form:renew:confirm:send")
    assert done.text.startswith("Заявка на продление №1 передана библиотекарю.")
    request = await desk.storage.renewals.get(1)
    assert request is not None and request.card_number == "ЧБ-5550173"

    await desk.say(READER, "/forget")
    await desk.press(READER, "forget:yes")

    assert await desk.storage.renewals.get(1) is None
    assert "ЧБ-5550173".encode() not in file_bytes(desk.storage)


async def test_the_pin_is_nowhere_but_in_the_call_to_the_system(
    desk: Desk, demo: DemoIls, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    await linked(desk)
    await desk.press(READER, "menu:loans")
    await linked(desk, pin="wrong-" + SECRET_PIN)

    reader = await desk.storage.readers.get(READER)
    assert reader is not None
    assert SECRET_PIN not in caplog.text
    history = await desk.storage.conversations.history(reader.id)
    assert all(SECRET_PIN not in (message.text or "") for message in history)
    state = await desk.storage.dialogs.load(reader.id)
    assert SECRET_PIN not in repr(state)
    for messenger in (desk.telegram, desk.vk):
        assert all(SECRET_PIN not in repr(reply) for _, reply in messenger.sent)
    assert SECRET_PIN.encode() not in file_bytes(desk.storage)


def _date_ru(ordinal: int) -> str:
    from datetime import date

    from babel.dates import format_date

    return format_date(date.fromordinal(ordinal), "d MMMM y", locale="ru")


async def test_without_a_staff_chat_nothing_is_stored_and_the_reader_goes_to_the_library(
    desk: Desk,
) -> None:
    desk.service = build_service(desk.storage, desk.telegram, desk.vk, staff=None)
    await consenting(desk)
    await desk.press(READER, "menu:loans")
    await desk.press(READER, "ln:ask")
    await desk.say(READER, "A-1")
    await desk.press(READER, "form:renew:items:pick:all")

    reply = await desk.press(READER, "form:renew:confirm:send")

    assert reply.text.startswith("Библиотекари сейчас не принимают заявки в этом чате")
    assert "№" not in reply.text
    assert await desk.storage.renewals.get(1) is None
