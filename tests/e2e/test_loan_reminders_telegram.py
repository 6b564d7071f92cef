"""Due-date reminders through the whole application and the fake Bot API: the reminder
arrives, its Renew button renews in the demo circulation system, and a restarted application
running the job again sends nothing twice."""

from __future__ import annotations

from bot.ils.demo import DEMO_CARD, DEMO_PIN
from bot.playground.platforms.telegram_server import FakeTelegramServer
from tests.e2e.conftest import Launcher
from tests.e2e.desk_client import (
    consent,
    reader_got,
    reader_presses,
    reader_says,
    reader_user,
    wait_callback_answered,
    wait_outbox_idle,
    wait_reader_gets,
)
from tests.e2e.telegram_client import payloads, text_of

READER = reader_user(5401)
DUE = "Скоро срок возврата книг"
OVERDUE = "Срок возврата этих книг прошёл"


async def test_a_reminder_renews_with_its_button_and_is_sent_once_across_a_restart(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await launch(telegram=telegram, ils_backend="demo")
    await consent(telegram, READER)
    await reader_presses(telegram, READER, "menu:loans")
    await reader_presses(telegram, READER, "ln:link")
    await reader_says(telegram, READER, DEMO_CARD)
    linked = await reader_says(telegram, READER, DEMO_PIN)
    assert text_of(linked).startswith(f"Читательский билет {DEMO_CARD} привязан")

    assert await app.loan_reminders.run(app.clock()) == 2
    reminder = await wait_reader_gets(telegram, READER, DUE)
    await wait_reader_gets(telegram, READER, OVERDUE)
    assert "Анатомия человека" in text_of(reminder)
    renew = next(data for data in payloads(reminder) if data and data.startswith("ln:due:"))

    before = len(telegram.sent_to(READER.id))
    query = telegram.push_callback(READER.id, renew, reminder.message_id, user=READER)
    await telegram.wait_for(lambda: len(telegram.sent_to(READER.id)) > before, timeout=30)
    assert "Анатомия человека. Т. 1» продлена до" in text_of(telegram.sent_to(READER.id)[-1])
    await wait_callback_answered(telegram, query)
    assert [a.callback_query_id for a in telegram.callback_answers].count(query) == 1
    await wait_outbox_idle(app)
    await app.stop()

    restarted = await launch(telegram=telegram, ils_backend="demo")
    assert await restarted.loan_reminders.run(restarted.clock()) == 0
    await wait_outbox_idle(restarted)
    assert len(reader_got(telegram, READER, DUE)) == 1
    assert len(reader_got(telegram, READER, OVERDUE)) == 1
