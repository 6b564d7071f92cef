"""A Telegram reader answered by Telegram staff in a plain supergroup: replies thread."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from storage.models import TicketStatus
from tests.e2e.conftest import STAFF_CHAT_ID, Launcher
from tests.e2e.desk_client import (
    STAFF,
    card_payloads,
    consent,
    reader_says,
    reader_user,
    single_steps,
    staff_ids,
    staff_says,
    submit_request,
    wait_card,
    wait_linked,
    wait_posted,
    wait_reader_gets,
    wait_status,
)
from tests.e2e.telegram_client import text_of

READER = reader_user(5302, "Пётр", "Иванов")


async def test_replies_to_the_card_and_to_a_follow_up_reach_the_reader(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await launch(telegram=telegram, staff_user_ids=staff_ids(STAFF))

    await consent(telegram, READER)
    number = await submit_request(
        telegram, READER, "address", single_steps("Шевченко Ю. Л. Кардиохирургия, 2019")
    )

    card = await wait_card(telegram, app, number)
    assert telegram.topics(STAFF_CHAT_ID) == []
    assert card.message_thread_id is None
    assert f"Запрос №{number} · Адресный" in text_of(card)
    assert "Читатель: Пётр Иванов (Telegram)" in text_of(card)
    assert f"st:take:{number}" in card_payloads(card)

    staff_says(telegram, "Есть в читальном зале, шифр 616.12.", reply_to=card.message_id)
    first = await wait_reader_gets(telegram, READER, "шифр 616.12")
    assert f"Ответ библиотеки на ваш запрос №{number}" in text_of(first)
    assert "— Ольга Смирнова" in text_of(first)
    await wait_status(app, number, TicketStatus.ANSWERED)

    # Free text outside any form goes to the open (answered) ticket and reopens it.
    added = await reader_says(telegram, READER, "А можно заказать на абонемент?")
    assert f"№{number}" in text_of(added)
    await wait_status(app, number, TicketStatus.IN_PROGRESS)
    follow_up = await wait_posted(telegram, "А можно заказать на абонемент?")
    assert follow_up.reply_to == card.message_id
    await wait_linked(app, number, follow_up.message_id)

    staff_says(telegram, "Да, на 14 дней.", reply_to=follow_up.message_id)
    second = await wait_reader_gets(telegram, READER, "на 14 дней")
    assert f"Ответ библиотеки на ваш запрос №{number}" in text_of(second)
    await wait_status(app, number, TicketStatus.ANSWERED)
