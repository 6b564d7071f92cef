"""Grouped reminders and auto-close, driven by a controllable clock."""

from __future__ import annotations

from datetime import timedelta

from handlers.core.config import TicketPolicy
from storage.models import Address, Platform, TicketKind, TicketMessageKind, TicketStatus
from tests.staff.conftest import DeskFactory

READER = Address(Platform.TELEGRAM, 111)


async def test_nothing_to_remind_posts_nothing(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    await desk.open_ticket(await desk.reader(READER))
    posts = len(desk.staff_posts())
    assert await desk.reminders.remind(desk.clock.now + timedelta(minutes=30)) == 0
    await desk.drain()
    assert len(desk.staff_posts()) == posts


async def test_one_grouped_reminder_for_overdue_and_untaken_tickets(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk(policy=TicketPolicy(untaken_reminder_minutes=60))
    reader = await desk.reader(READER)
    overdue, _ = await desk.open_ticket(reader, "Старый")
    desk.clock.advance(days=3)
    untaken, _ = await desk.open_ticket(reader, "Новый")
    await desk.press(f"st:take:{overdue.id}")
    desk.clock.advance(hours=2)
    posts = len(desk.staff_posts())

    assert await desk.reminders.remind(desk.clock.now) == 1
    await desk.drain()

    [reminder] = desk.staff_posts()[posts:]
    lines = reminder.text.splitlines()
    assert lines[0].startswith("⏰")
    assert lines[1] == f"№{overdue.id} · Тематический · просрочен на 2 ч 0 мин · Мария Иванова"
    assert lines[2] == f"№{untaken.id} · Тематический · никто не взял уже 2 ч 0 мин"
    assert reminder.buttons == ()


async def test_a_ticket_both_overdue_and_untaken_is_listed_once(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    desk.clock.advance(days=4)
    posts = len(desk.staff_posts())
    await desk.reminders.remind(desk.clock.now)
    await desk.drain()
    [reminder] = desk.staff_posts()[posts:]
    assert reminder.text.count(f"№{ticket.id} ") == 1


async def test_one_reminder_per_hour_however_often_the_job_runs(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    await desk.open_ticket(await desk.reader(READER))
    desk.clock.advance(days=4)
    posts = len(desk.staff_posts())

    assert await desk.reminders.remind(desk.clock.now) == 1
    assert await desk.reminders.remind(desk.clock.now + timedelta(minutes=20)) == 0
    await desk.drain()
    assert len(desk.staff_posts()) == posts + 1

    assert await desk.reminders.remind(desk.clock.now + timedelta(hours=1)) == 1


async def test_many_late_tickets_stay_within_the_groups_rate_limit(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    reader = await desk.reader(READER)
    for number in range(150):
        await desk.storage.tickets.create(
            reader.id,
            TicketKind.THEMATIC,
            {"topic": str(number)},
            deadline_at=desk.clock.now,
            at=desk.clock.now,
        )
    desk.clock.advance(days=1)

    queued = await desk.reminders.remind(desk.clock.now)
    await desk.drain()

    reminders = desk.staff_posts()
    assert queued == len(reminders)
    assert 1 <= len(reminders) <= 5
    assert all(len(r.text) <= 4096 for r in reminders)
    assert "…и ещё 50" in reminders[-1].text


async def test_answered_tickets_close_after_the_quiet_period(make_desk: DeskFactory) -> None:
    desk = await make_desk(policy=TicketPolicy(auto_close_days=7))
    reader = await desk.reader(READER)
    quiet, _ = await desk.open_ticket(reader, "Тихий")
    lively, _ = await desk.open_ticket(reader, "Живой")
    await desk.staff_says("Ответ", reply_to=1)
    desk.clock.advance(days=3)
    await desk.staff_says("Ответ", reply_to=2)
    desk.clock.advance(days=5)

    assert await desk.reminders.auto_close(desk.clock.now) == 1
    await desk.drain()

    closed = await desk.ticket(quiet.id)
    assert closed.status is TicketStatus.CLOSED
    assert (await desk.ticket(lively.id)).status is TicketStatus.ANSWERED
    [*_, event] = await desk.storage.tickets.events(quiet.id)
    assert (event.to_status, event.actor, event.at) == ("closed", "system", desk.clock.now)
    record = (await desk.storage.tickets.messages(quiet.id))[-1]
    assert record.kind is TicketMessageKind.SYSTEM
    assert record.text == "Закрыт автоматически: читатель не ответил за 7 дней."
    card_edit = [e for e in desk.telegram.edits if e[1] == 1][-1][2]
    assert "закрыт" in card_edit.text
    assert f"№{quiet.id}" in desk.staff_posts()[-1].text

    assert await desk.reminders.auto_close(desk.clock.now) == 0
