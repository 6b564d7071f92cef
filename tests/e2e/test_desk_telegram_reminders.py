"""Deadline reminders in the Telegram staff chat, driven by a clock the test controls."""

from __future__ import annotations

from datetime import timedelta

from bot.playground.platforms.telegram_server import FakeTelegramServer
from tests.e2e.conftest import STAFF_CHAT_ID, Launcher
from tests.e2e.desk_client import (
    consent,
    posted,
    reader_user,
    single_steps,
    submit_request,
    ticket,
    wait_card,
    wait_outbox_idle,
    wait_posted,
)
from tests.e2e.telegram_client import text_of

READER = reader_user(5305)
REMINDER = "Напоминание: эти запросы ждут ответа"


async def test_an_overdue_untaken_ticket_is_reminded_once_an_hour(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await launch(telegram=telegram)
    await consent(telegram, READER)
    number = await submit_request(
        telegram, READER, "address", single_steps("Бокерия Л. А. Клиническая кардиология")
    )
    await wait_card(telegram, app, number)
    await wait_outbox_idle(app)
    before = len(telegram.sent_to(STAFF_CHAT_ID))

    late = (await ticket(app, number)).deadline_at + timedelta(hours=3)
    hour = late.replace(minute=5, second=0, microsecond=0)
    assert await app.reminders.remind(now=hour) == 1
    reminder = await wait_posted(telegram, REMINDER)
    assert f"№{number} · Адресный · просрочен на " in text_of(reminder)
    assert reminder.message_thread_id is None and reminder.reply_to is None

    assert await app.reminders.remind(now=hour.replace(minute=55)) == 0
    await wait_outbox_idle(app)
    assert len(posted(telegram, REMINDER)) == 1
    assert len(telegram.sent_to(STAFF_CHAT_ID)) == before + 1
