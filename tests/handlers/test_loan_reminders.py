"""Due-date reminders and overdue notices with the demo circulation system, driven by a
controllable clock: what is sent and when, the Renew button, the reader's settings, /forget,
a restart, a purged outbox and a circulation system that is down."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.ils.demo import DEMO_CARD, DemoIls
from handlers.core.config import LibraryProfile, LoanPolicy, ReaderPolicy, ServiceConfig
from handlers.core.i18n import Catalog
from handlers.core.replies import Reply
from handlers.loans.ils import Ils, IlsUnavailable, Loan, PatronCheck, PatronStatus, Renewal
from handlers.loans.reminders.job import LoanReminders
from handlers.loans.wording import day_text
from storage.database import Storage
from storage.models import (
    ConsentState,
    OutboxItem,
    Platform,
    RenewalCause,
    RenewalRequest,
    StaffMember,
)
from storage.schema import outbox, sent_loan_reminders
from tests.handlers.conftest import Clock, Desk
from tests.handlers.loans_support import (
    READER,
    SECRET_PIN,
    VK_READER,
    linked,
    payloads,
    with_demo,
    with_ils,
)

OLGA = StaffMember(Platform.TELEGRAM, 11, "Ольга")


def reminders(storage: Storage, ils: Ils | None, clock: Clock, days: int = 3) -> LoanReminders:
    """The job as the application builds it, on ``storage``."""
    config = ServiceConfig(
        library=LibraryProfile(name="Библиотека"),
        policy=ReaderPolicy(retention_days=180),
        loans=LoanPolicy(reminder_days=days),
    )
    return LoanReminders(
        cards=storage.cards,
        renewals=storage.renewals,
        readers=storage.readers,
        ledger=storage.loan_reminders,
        ils=ils,
        catalog=Catalog(),
        config=config,
    )


async def rows(storage: Storage, kind: str = "") -> list[OutboxItem]:
    """The reminder rows queued, oldest first (``kind``: only those of that kind)."""
    query = select(outbox.c.idempotency_key).order_by(outbox.c.id)
    query = query.where(outbox.c.idempotency_key.like(f"loan-reminder:%:{kind}%"))
    async with storage.engine.connect() as conn:
        keys = list((await conn.execute(query)).scalars())
    items = [await storage.outbox.get(key) for key in keys]
    return [item for item in items if item is not None]


def reply_of(item: OutboxItem) -> Reply:
    return Reply.from_dict(item.payload)


async def records(storage: Storage) -> int:
    async with storage.engine.connect() as conn:
        count = await conn.execute(select(func.count()).select_from(sent_loan_reminders))
    return int(count.scalar_one())


@pytest.fixture
def demo(desk: Desk) -> DemoIls:
    return with_demo(desk)


async def test_a_reminder_n_days_before_with_a_renew_button_that_renews(
    desk: Desk, demo: DemoIls
) -> None:
    await linked(desk)

    queued = await reminders(desk.storage, demo, desk.clock).run(desk.clock())

    assert queued == 2, "one reminder and one overdue notice"
    [due] = await rows(desk.storage, "due")
    reminder = reply_of(due)
    assert due.address == READER
    lines = reminder.text.splitlines()
    assert lines[0] == "⏰ Скоро срок возврата книг:"
    assert lines[1] == "1. Сапин М. Р. Анатомия человека. Т. 1 — вернуть до 25 ноября 2026"
    assert "физиология" not in reminder.text, "due in 5 days: not yet with 3 days' notice"
    renew, *rest = payloads(reminder)
    assert renew.startswith("ln:due:")
    assert rest == ["menu:loans", "lr:show", "menu:main"], "one loan: no Renew all"

    done = await desk.press(READER, renew)

    assert done.text == "✅ «Сапин М. Р. Анатомия человека. Т. 1» продлена до 9 декабря 2026."
    again = await desk.press(READER, renew)
    assert desk.telegram.replies_to(READER)[-2].text == "Этот список устарел. Вот актуальный:"
    assert "Анатомия человека. Т. 1 — вернуть до 9 декабря 2026" in again.text


async def test_several_loans_due_get_renew_all_which_renews_like_my_loans(
    desk: Desk, demo: DemoIls
) -> None:
    await linked(desk)
    await desk.press(READER, "lr:set:7")

    await reminders(desk.storage, demo, desk.clock).run(desk.clock())

    [due] = await rows(desk.storage, "due")
    reminder = reply_of(due)
    assert [line.split(" — ")[0] for line in reminder.text.splitlines()[1:4]] == [
        "1. Сапин М. Р. Анатомия человека. Т. 1",
        "2. Судаков К. В. Нормальная физиология",
        "3. Мухин Н. А. Внутренние болезни",
    ]
    buttons = payloads(reminder)
    assert [b.split(":")[:2] for b in buttons[:4]] == [["ln", "due"]] * 3 + [["ln", "dueall"]]
    assert len(buttons) <= 10 and len(reminder.buttons) <= 6, "VK's inline keyboard limits"

    result = await desk.press(READER, "ln:dueall")

    assert result.text.startswith("❌ «Кукес В. Г. Клиническая фармакология» продлить нельзя")
    assert "✅ «Сапин М. Р. Анатомия человека. Т. 1» продлена до 9 декабря 2026." in result.text


async def test_an_overdue_notice_once_per_loan_and_due_date(desk: Desk, demo: DemoIls) -> None:
    await linked(desk)
    job = reminders(desk.storage, demo, desk.clock)

    await job.run(desk.clock())
    desk.clock.now += timedelta(days=1)
    await job.run(desk.clock())

    [notice] = await rows(desk.storage, "overdue")
    text = reply_of(notice).text
    assert text.startswith("⚠️ Срок возврата этих книг прошёл:\n1. Кукес В. Г.")
    assert text.endswith("Верните их в библиотеку или попробуйте продлить в разделе «Мои книги».")
    assert payloads(reply_of(notice)) == ["menu:loans", "lr:show", "menu:main"]


async def test_sent_once_across_a_restart_and_after_the_outbox_purges_sent_rows(
    desk: Desk, demo: DemoIls
) -> None:
    await linked(desk)
    await reminders(desk.storage, demo, desk.clock).run(desk.clock())
    first = [item.key for item in await rows(desk.storage)]
    await desk.storage.close()

    # A new process: storage, circulation client and job built anew on the same file.
    restarted = Storage.open(desk.url, desk.clock)
    try:
        job = reminders(restarted, DemoIls(desk.clock), desk.clock)
        assert await job.run(desk.clock()) == 0
        assert [item.key for item in await rows(restarted)] == first

        # The outbox forgets sent rows after 30 days; a loan still overdue is not announced
        # again for it.
        claimed = await restarted.outbox.claim(10, desk.clock(), 60)
        for item in claimed:
            await restarted.outbox.mark_sent(item.id, desk.clock())
        desk.clock.now += timedelta(days=40)
        await restarted.outbox.purge_sent(desk.clock() - timedelta(days=30))
        assert await rows(restarted) == []
        assert await reminders(restarted, demo, desk.clock).run(desk.clock()) == 1
        [notice] = await rows(restarted)
        text = reply_of(notice).text
        assert "Анатомия" in text, "overdue since the last run: announced"
        assert "Кукес" not in text, "announced 40 days ago, and still overdue"
    finally:
        await restarted.close()
        desk.storage = Storage.open(desk.url, desk.clock)


async def test_a_reader_who_turned_reminders_off_gets_nothing_until_turning_them_on(
    desk: Desk, demo: DemoIls
) -> None:
    await linked(desk)
    screen = await desk.press(READER, "lr:show")
    assert screen.text.startswith("Бот раз в день, около 10:00, напоминает")
    assert "Сейчас: за 3 дня до срока." in screen.text
    assert payloads(screen)[:4] == ["lr:set:1", "lr:set:3", "lr:set:7", "lr:off"]
    assert [b.text for b in screen.buttons[0]] == ["За 1 день", "✅ За 3 дня", "За 7 дней"]

    await desk.press(READER, "lr:off")
    off = desk.telegram.replies_to(READER)
    assert off[-2].text == "Готово: напоминания выключены."
    assert payloads(off[-1])[0] == "lr:on"
    job = reminders(desk.storage, demo, desk.clock)
    assert await job.run(desk.clock()) == 0
    assert await rows(desk.storage) == []

    await desk.press(READER, "lr:on")
    assert await job.run(desk.clock()) == 2


async def test_a_changed_number_of_days_takes_effect_and_repeats_nothing(
    desk: Desk, demo: DemoIls
) -> None:
    await linked(desk)
    job = reminders(desk.storage, demo, desk.clock)
    await job.run(desk.clock())

    saved = await desk.press(READER, "lr:set:7")
    assert desk.telegram.replies_to(READER)[-2].text == "Готово: напомним за 7 дней до срока."
    assert "Сейчас: за 7 дней до срока." in saved.text
    await job.run(desk.clock())

    first, second = await rows(desk.storage, "due")
    assert "Анатомия" in reply_of(first).text
    assert "Анатомия" not in reply_of(second).text, "reminded once per loan and due date"
    assert "физиология" in reply_of(second).text and "Внутренние" in reply_of(second).text


async def test_forged_and_odd_reminder_presses(desk: Desk, demo: DemoIls) -> None:
    await linked(desk)

    forged = await desk.press(READER, "ln:due:0123456789")
    assert desk.telegram.replies_to(READER)[-2].text == "Этот список устарел. Вот актуальный:"
    assert forged.text.startswith("Книги на билете 1000001 (5)")
    refused = await desk.press(READER, "lr:set:99")
    assert desk.telegram.replies_to(READER)[-2].text.startswith("Эта кнопка устарела")
    assert payloads(refused)[0].startswith("menu:")

    # Another reader's reminder button matches nothing on a reader with no card.
    await desk.say(VK_READER, "/start")
    await desk.press(VK_READER, "consent:yes")
    stranger = await desk.press(VK_READER, "ln:dueall")
    assert stranger.text.startswith("Чтобы видеть свои книги и продлевать их здесь")
    assert payloads(stranger) == ["ln:link", "menu:main"]


async def test_forget_erases_the_sent_reminder_records(desk: Desk, demo: DemoIls) -> None:
    await linked(desk)
    await reminders(desk.storage, demo, desk.clock).run(desk.clock())
    assert await records(desk.storage) == 2

    await desk.say(READER, "/forget")
    await desk.press(READER, "forget:yes")

    assert await records(desk.storage) == 0
    assert await rows(desk.storage) == []


class Flaky:
    """The demo system, down until ``up`` is set."""

    needs_pin = True

    def __init__(self, ils: DemoIls) -> None:
        self._ils = ils
        self.up = False

    async def verify(self, card: str, pin: str | None) -> PatronCheck:
        return PatronCheck(PatronStatus.OK)

    async def loans(self, card: str) -> Sequence[Loan]:
        if not self.up:
            raise IlsUnavailable("connection refused")
        return await self._ils.loans(card)

    async def renew(self, card: str, loan_id: str) -> Renewal:
        return await self._ils.renew(card, loan_id)

    async def renew_all(self, card: str) -> Sequence[Renewal]:
        return await self._ils.renew_all(card)

    async def close(self) -> None:
        """Nothing to release."""


async def test_the_circulation_system_down_skips_the_card_and_the_next_run_sends(
    desk: Desk, demo: DemoIls, caplog: pytest.LogCaptureFixture
) -> None:
    await linked(desk)
    caplog.set_level(logging.DEBUG)
    flaky = Flaky(demo)
    job = reminders(desk.storage, flaky, desk.clock)

    assert await job.run(desk.clock()) == 0
    assert await rows(desk.storage) == [] and await records(desk.storage) == 0
    assert "a card skipped until the next run" in caplog.text
    assert DEMO_CARD not in caplog.text and SECRET_PIN not in caplog.text
    assert "connection refused" not in caplog.text, "the backend's words may name the card"

    flaky.up = True
    assert await job.run(desk.clock()) == 2


DOWN = "Система библиотеки сейчас не отвечает. Ваша просьба о продлении передана библиотекарю:"
ANATOMY = "Сапин М. Р. Анатомия человека. Т. 1"


async def reminded_then_down(desk: Desk, demo: DemoIls, days: int = 3) -> tuple[Reply, Flaky]:
    """A reminder sent while the circulation system is up; then the system goes down."""
    flaky = Flaky(demo)
    flaky.up = True
    with_ils(desk, flaky)
    await linked(desk)
    await desk.press(READER, f"lr:set:{days}")
    await reminders(desk.storage, flaky, desk.clock, days).run(desk.clock())
    [due] = await rows(desk.storage, "due")
    flaky.up = False
    return reply_of(due), flaky


async def pressed_once(desk: Desk, payload: str) -> Reply:
    before = len(desk.telegram.acknowledged)
    reply = await desk.press(READER, payload)
    assert desk.telegram.acknowledged[before:] == ["cb"]
    return reply


async def staff_cards(desk: Desk) -> list[str]:
    later = desk.clock.now + timedelta(days=365)
    claimed = await desk.storage.outbox.claim(50, later, 30)
    return [str(item.payload["text"]) for item in claimed if item.payload.get("renewal")]


def loans_of(request: RenewalRequest | None) -> list[tuple[str, str]]:
    assert request is not None
    return [
        (loan.title, day_text(Catalog().translator("ru"), loan.due, "Europe/Moscow"))
        for loan in request.loans
        if loan.due is not None
    ]


async def test_renew_on_a_reminder_while_the_system_is_down_becomes_one_staff_request(
    desk: Desk, demo: DemoIls
) -> None:
    reminder, _ = await reminded_then_down(desk, demo)
    renew = payloads(reminder)[0]

    told = await pressed_once(desk, renew)

    assert told.text.startswith(f"{DOWN} заявка №1."), told.text
    assert payloads(told) == ["menu:main"]
    request = await desk.storage.renewals.get(1)
    assert request is not None and request.cause is RenewalCause.FALLBACK
    assert request.card_number == DEMO_CARD
    assert loans_of(request) == [(ANATOMY, "25 ноября 2026")]
    [card] = await staff_cards(desk)
    assert f"Читательский билет: {DEMO_CARD}" in card
    assert f"• {ANATOMY} — срок 25 ноября 2026" in card

    again = await pressed_once(desk, renew)

    assert again.text == told.text, "the same request, not a second one"
    assert await desk.storage.renewals.get(2) is None
    assert await staff_cards(desk) == [], "no second staff card"
    assert all(loan.due.day == 25 for loan in await demo.loans(DEMO_CARD) if "Сапин" in loan.title)


async def test_renew_all_on_a_reminder_while_the_system_is_down_names_every_reminded_loan(
    desk: Desk, demo: DemoIls
) -> None:
    reminder, _ = await reminded_then_down(desk, demo, days=7)
    renew_all = next(p for p in payloads(reminder) if p.startswith("ln:dueall:"))

    told = await pressed_once(desk, renew_all)

    assert told.text.startswith(f"{DOWN} заявка №1.")
    assert [title for title, _ in loans_of(await desk.storage.renewals.get(1))] == [
        ANATOMY,
        "Судаков К. В. Нормальная физиология",
        "Мухин Н. А. Внутренние болезни",
    ]
    await pressed_once(desk, renew_all)
    assert await desk.storage.renewals.get(2) is None


async def test_a_reminder_press_that_names_no_kept_reminder_still_reaches_staff_with_the_card(
    desk: Desk, demo: DemoIls
) -> None:
    reminder, _ = await reminded_then_down(desk, demo)
    ref = payloads(reminder)[0].split(":")[2]

    # A reminder from before buttons named their reminder, and a forged name: only this
    # reader's kept reminders could match, and none does.
    told = await pressed_once(desk, f"ln:due:{ref}")
    forged = await pressed_once(desk, f"ln:due:{ref}:{'0' * 24}")

    assert told.text.startswith(f"{DOWN} заявка №1.")
    assert forged.text == told.text
    request = await desk.storage.renewals.get(1)
    assert request is not None and request.card_number == DEMO_CARD and request.loans == ()
    assert await desk.storage.renewals.get(2) is None


async def test_the_manual_backend_reminds_of_the_date_staff_renewed_until(desk: Desk) -> None:
    await desk.say(READER, "/start")
    await desk.press(READER, "consent:yes")
    await desk.press(READER, "ln:link")
    await desk.say(READER, "ЧБ-5550173")
    reader = await desk.storage.readers.get(READER)
    assert reader is not None
    request = await desk.storage.renewals.create(reader.id, "ЧБ-5550173", RenewalCause.MANUAL)
    until = desk.clock().date() + timedelta(days=5)
    await desk.storage.renewals.renew(request.id, until, OLGA, desk.clock())
    job = reminders(desk.storage, None, desk.clock)

    assert await job.run(desk.clock()) == 0, "five days ahead, three days' notice"
    desk.clock.now += timedelta(days=2)
    assert await job.run(desk.clock()) == 1
    desk.clock.now += timedelta(days=1)
    assert await job.run(desk.clock()) == 0

    [item] = await rows(desk.storage, "until")
    reminder = reply_of(item)
    until_text = day_text(Catalog().translator("ru"), until, "Europe/Moscow")
    assert reminder.text == (
        f"⏰ По заявке №{request.id} книги продлены до {until_text} — это через 3 дня."
    )
    assert payloads(reminder) == ["ln:ask", "menu:loans", "lr:show", "menu:main"]
    form = await desk.press(READER, "ln:ask")
    assert "Какие книги продлить?" in form.text
    screen = await desk.press(READER, "lr:show")
    assert screen.text.startswith("Бот раз в день, около 10:00, напоминает о сроке, до которого")


async def test_english_readers_get_english_reminders(desk: Desk, demo: DemoIls) -> None:
    await linked(desk)
    reader = await desk.storage.readers.get(READER)
    assert reader is not None
    await desk.storage.readers.set_language(reader.id, "en")

    await reminders(desk.storage, demo, desk.clock).run(desk.clock())

    [due] = await rows(desk.storage, "due")
    text = reply_of(due).text
    assert text.startswith("⏰ These loans are due soon:\n1. Сапин М. Р. Анатомия")
    assert "due 25 November 2026" in text
    assert reply_of(due).buttons[-1][0].text == "⬅️ Back to menu"


class Broken(Flaky):
    """Up, except that one card makes the client fail in a way nobody planned for."""

    def __init__(self, ils: DemoIls, card: str) -> None:
        super().__init__(ils)
        self.up = True
        self._card = card

    async def loans(self, card: str) -> Sequence[Loan]:
        if card == self._card:
            raise ValueError(f"unparseable answer for {card}")
        return await super().loans(card)


async def test_one_card_failing_costs_the_other_readers_nothing(
    desk: Desk, demo: DemoIls, caplog: pytest.LogCaptureFixture
) -> None:
    first = await desk.storage.readers.create(VK_READER, "ru")
    await desk.storage.readers.set_consent(first.id, ConsentState.GIVEN, "Пётр")
    await desk.storage.cards.link(first.id, "5550001", 3)
    await linked(desk)
    caplog.set_level(logging.DEBUG)

    assert await reminders(desk.storage, Broken(demo, "5550001"), desk.clock).run(desk.clock()) == 2

    assert {item.address for item in await rows(desk.storage)} == {READER}
    assert "a card skipped until the next run (ValueError)" in caplog.text
    assert "5550001" not in caplog.text
