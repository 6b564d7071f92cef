"""The manual renewal flow end to end on Telegram: the reader's request, its card in the
staff chat, the staff's +14 days, an entered date and a refusal, and the reader told each
outcome here."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer, FakeUser
from storage.models import RenewalStatus
from tests.e2e.conftest import STAFF_CHAT_ID, Launcher
from tests.e2e.desk_client import (
    STAFF,
    card_payloads,
    consent,
    reader_presses,
    reader_says,
    reader_user,
    staff_ids,
    staff_presses,
    staff_says,
    wait_callback_answered,
    wait_posted,
    wait_reader_gets,
)
from tests.e2e.loans_client import (
    WITHIN,
    card_message,
    decided,
    library_today,
    request_number,
    ru_day,
)
from tests.e2e.telegram_client import text_of

READER = reader_user(5401, "Пётр", "Иванов")


async def ask_to_renew(telegram: FakeTelegramServer, reader: FakeUser, books: str) -> int:
    await reader_presses(telegram, reader, "menu:loans")
    await reader_presses(telegram, reader, "ln:ask")
    await reader_says(telegram, reader, "КБ-2024/117")
    await reader_says(telegram, reader, books)
    done = await reader_presses(telegram, reader, "form:renew:confirm:send")
    assert "придёт сюда же, в этот чат" in text_of(done)
    return request_number(text_of(done))


async def test_staff_renew_and_refuse_from_the_card_and_the_reader_is_told(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await launch(telegram=telegram, staff_user_ids=staff_ids(STAFF))
    await consent(telegram, READER)

    # +14 days.
    first = await ask_to_renew(telegram, READER, "Анатомия человека, т. 2")
    card_id = await card_message(app, first)
    [card] = [m for m in telegram.sent_to(STAFF_CHAT_ID) if m.message_id == card_id]
    assert f"Заявка на продление №{first}" in text_of(card)
    assert "Читатель: Пётр Иванов (Telegram)" in text_of(card)
    assert "Читательский билет: КБ-2024/117" in text_of(card)
    assert "Книги: Анатомия человека, т. 2" in text_of(card)
    assert card_payloads(card) == [
        f"rn:d14:{first}",
        f"rn:d30:{first}",
        f"rn:date:{first}",
        f"rn:refuse:{first}",
    ]
    query = staff_presses(telegram, f"rn:d14:{first}", card_id)
    assert await wait_callback_answered(telegram, query) == (
        f"Заявка №{first} решена, читатель получит ответ"
    )
    until = ru_day(library_today(app, 14))
    told = await wait_reader_gets(telegram, READER, f"Заявка на продление №{first}: книги")
    assert text_of(told) == f"✅ Заявка на продление №{first}: книги продлены до {until}."
    await telegram.wait_for(lambda: f"Продлено до {until}" in text_of(card), timeout=WITHIN)
    assert "Решение: Ольга Смирнова" in text_of(card)
    assert card_payloads(card) == []
    again = staff_presses(telegram, f"rn:d30:{first}", card_id)
    assert await wait_callback_answered(telegram, again) == (
        f"Заявку №{first} уже решил(а) Ольга Смирнова"
    )

    # An entered date, in reply to the card.
    second = await ask_to_renew(telegram, READER, "Все мои книги")
    card_id = await card_message(app, second)
    staff_presses(telegram, f"rn:date:{second}", card_id)
    await telegram.wait_for(
        lambda: any("ждёт дату" in text_of(m) for m in telegram.sent_to(STAFF_CHAT_ID)),
        timeout=WITHIN,
    )
    staff_says(telegram, "32.13.2027", reply_to=card_id)
    await wait_posted(telegram, "Не понял дату")
    day = library_today(app, 40)
    staff_says(telegram, day.strftime("%d.%m.%Y"), reply_to=card_id)
    renewed = await decided(app, second, RenewalStatus.RENEWED)
    assert renewed.renewed_until == day
    await wait_reader_gets(telegram, READER, f"№{second}: книги продлены до {ru_day(day)}.")

    # A refusal with a reason from the list.
    third = await ask_to_renew(telegram, READER, "Нормальная физиология")
    card_id = await card_message(app, third)
    staff_presses(telegram, f"rn:refuse:{third}", card_id)
    await telegram.wait_for(
        lambda: any(
            f"rn:why:{third}:reserved" in card_payloads(m) for m in telegram.sent_to(STAFF_CHAT_ID)
        ),
        timeout=WITHIN,
    )
    staff_presses(telegram, f"rn:why:{third}:reserved", card_id)
    refused = await decided(app, third, RenewalStatus.REFUSED)
    assert refused.refusal == "reserved"
    told = await wait_reader_gets(telegram, READER, f"Заявка на продление №{third}: продлить")
    assert text_of(told) == (
        f"❌ Заявка на продление №{third}: продлить не получилось — "
        "эту книгу уже заказал другой читатель."
    )
