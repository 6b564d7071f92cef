"""Staff commands in the Telegram staff chat: /queue, /ticket, /find and templates."""

from __future__ import annotations

import re

from bot.playground.platforms.telegram_server import FakeTelegramServer
from storage.models import TicketStatus
from tests.e2e.conftest import Launcher
from tests.e2e.desk_client import (
    COLLEAGUE,
    STAFF,
    card_payloads,
    consent,
    reader_says,
    reader_user,
    single_steps,
    staff_command,
    staff_ids,
    staff_presses,
    staff_says,
    submit_request,
    thematic_steps,
    wait_callback_answered,
    wait_card,
    wait_card_shows,
    wait_posted,
    wait_reader_gets,
    wait_status,
)
from tests.e2e.telegram_client import text_of

CARDIOLOGY = reader_user(5303)
HISTORY = reader_user(5304, "Сергей", "Орлов")


async def test_queue_ticket_find_and_a_template_answer(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await launch(telegram=telegram, staff_user_ids=staff_ids(STAFF, COLLEAGUE))
    await consent(telegram, CARDIOLOGY)
    first = await submit_request(
        telegram, CARDIOLOGY, "thematic", thematic_steps("книги по кардиологии")
    )
    await consent(telegram, HISTORY)
    second = await submit_request(
        telegram,
        HISTORY,
        "factographic",
        single_steps("В каком году открылась первая станция скорой помощи в Москве?"),
    )
    first_card = await wait_card(telegram, app, first)
    second_card = await wait_card(telegram, app, second)

    staff_presses(telegram, f"st:take:{second}", second_card.message_id, user=COLLEAGUE)
    await wait_card_shows(telegram, app, second, "Исполнитель: Ирина Кузнецова")
    staff_says(telegram, "!проверить фонд", reply_to=first_card.message_id)
    await wait_posted(telegram, "Заметка сохранена")
    staff_says(telegram, "Рекомендуем монографию Беленкова.", reply_to=first_card.message_id)
    await wait_reader_gets(telegram, CARDIOLOGY, "монографию Беленкова")
    await wait_status(app, first, TicketStatus.ANSWERED)
    await reader_says(telegram, CARDIOLOGY, "а за 2023 год?")
    await wait_status(app, first, TicketStatus.IN_PROGRESS)
    await wait_posted(telegram, "а за 2023 год?")

    queue = await staff_command(telegram, app, "/queue")
    assert "Открытые запросы (2), сначала старые:" in queue
    lines = queue.splitlines()
    [first_line] = [line for line in lines if line.startswith(f"№{first} ")]
    [second_line] = [line for line in lines if line.startswith(f"№{second} ")]
    assert lines.index(first_line) < lines.index(second_line)
    assert "Тематический · ждёт " in first_line and " · срок " in first_line
    assert first_line.endswith("Ольга Смирнова")
    assert "Фактографический · ждёт " in second_line
    assert second_line.endswith("Ирина Кузнецова")

    history = await staff_command(telegram, app, f"/ticket {first}")
    for expected in (
        f"Запрос №{first} · Тематический",
        "👤 Анна Петрова:",
        "книги по кардиологии",
        "📝 Ольга Смирнова (заметка):\nпроверить фонд",
        "💬 Ольга Смирнова:\nРекомендуем монографию Беленкова.",
        "а за 2023 год?",
        "статус: 🆕 новый → ✅ отвечен (Ольга Смирнова",
        "статус: ✅ отвечен → 🔧 в работе (читатель)",
    ):
        assert expected in history, (expected, history)
    order = [history.index(part) for part in ("книги по", "проверить фонд", "Беленкова", "2023")]
    assert order == sorted(order), "the conversation is in time order"

    found = await staff_command(telegram, app, "/find книга")
    assert "Найдено по запросу «книга»:" in found
    assert f"№{first}:" in found and f"№{second}:" not in found

    added = await staff_command(
        telegram, app, "/templates add Часы работы | Библиотека работает с 9 до 18."
    )
    match = re.search(r"Шаблон (\d+) «Часы работы» добавлен", added)
    assert match is not None, added
    template = int(match.group(1))

    staff_presses(telegram, f"st:tpl:{second}", second_card.message_id, user=COLLEAGUE)
    picker = await wait_posted(
        telegram, f"Какой шаблон отправить читателю как ответ на запрос №{second}"
    )
    assert f"st:tplsend:{second}:{template}" in card_payloads(picker)
    assert picker.reply_to == second_card.message_id, "the list is in the ticket's thread"
    query = staff_presses(
        telegram, f"st:tplsend:{second}:{template}", picker.message_id, user=COLLEAGUE
    )
    assert (
        await wait_callback_answered(telegram, query) == f"Шаблон отправлен по запросу №{second}."
    )
    answer = await wait_reader_gets(telegram, HISTORY, "Библиотека работает с 9 до 18.")
    assert f"Ответ библиотеки на ваш запрос №{second}" in text_of(answer)
    assert "— Ирина Кузнецова" in text_of(answer)
    await wait_status(app, second, TicketStatus.ANSWERED)
