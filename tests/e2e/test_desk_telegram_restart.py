"""A restart of the application with desk work in flight: nothing lost, nothing repeated."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from storage.models import OutboxStatus, TicketStatus
from tests.e2e.conftest import Launcher
from tests.e2e.desk_client import (
    STAFF,
    consent,
    reader_got,
    reader_user,
    single_steps,
    staff_command,
    staff_ids,
    staff_says,
    submit_request,
    thematic_steps,
    wait_card,
    wait_outbox_idle,
    wait_posted,
    wait_reader_gets,
)
from tests.e2e.telegram_client import outbox_rows

WAITING = reader_user(5307)
ANSWERED = reader_user(5308, "Виктор", "Лебедев")
ANSWER = "Справка готова: инфаркт миокарда, 2020–2024, 12 источников."
LEASE_SECONDS = 2


async def test_queue_history_and_an_in_flight_answer_survive_a_restart(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    settings = {"staff_user_ids": staff_ids(STAFF), "outbox_lease_seconds": LEASE_SECONDS}
    app = await launch(telegram=telegram, **settings)
    await consent(telegram, WAITING)
    waiting = await submit_request(
        telegram, WAITING, "thematic", thematic_steps("реабилитация после инсульта")
    )
    await consent(telegram, ANSWERED)
    answered = await submit_request(
        telegram, ANSWERED, "factographic", single_steps("Статистика инфаркта миокарда?")
    )
    waiting_card = await wait_card(telegram, app, waiting)
    answered_card = await wait_card(telegram, app, answered)
    staff_says(telegram, "!уточнить у отдела комплектования", reply_to=waiting_card.message_id)
    await wait_posted(telegram, "Заметка сохранена")
    await wait_outbox_idle(app)

    # The answer reaches Telegram but is held there, not carried out, while the bot stops.
    hold = telegram.hold(ANSWERED.id, method="sendMessage", before=True)
    staff_says(telegram, ANSWER, reply_to=answered_card.message_id)
    await hold.wait_held(1, timeout=45)
    assert [s for k, s in await outbox_rows(app.storage) if k.startswith("answer:")] == [
        OutboxStatus.SENDING
    ]
    await app.stop()
    hold.release()
    assert not reader_got(telegram, ANSWERED, ANSWER)

    app = await launch(telegram=telegram, **settings)
    queue = await staff_command(telegram, app, "/queue")
    assert f"№{waiting} · Тематический" in queue
    assert f"№{answered} " not in queue
    history = await staff_command(telegram, app, f"/ticket {waiting}")
    assert "реабилитация после инсульта" in history
    assert "📝 Ольга Смирнова (заметка):\nуточнить у отдела комплектования" in history

    await wait_reader_gets(telegram, ANSWERED, ANSWER)
    await wait_outbox_idle(app)
    assert len(reader_got(telegram, ANSWERED, ANSWER)) == 1
    stored = await app.storage.tickets.get(answered)
    assert stored is not None and stored.status is TicketStatus.ANSWERED
