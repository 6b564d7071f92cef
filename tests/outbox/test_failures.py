"""What the sender does with each kind of delivery failure."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from handlers.core.messenger import PermanentError, RecipientUnreachable, RetryAfter, TransientError
from storage.models import OutboxItem, OutboxStatus, Platform
from tests.outbox.fakes import ManualClock, RecordingReaders, ScriptedMessenger
from tests.outbox.helpers import ALICE, BORIS, VERA, SenderFactory, put
from tests.outbox.memory_outbox import MemoryOutbox


async def row(outbox: MemoryOutbox, key: str) -> OutboxItem:
    found = await outbox.get(key)
    assert found is not None
    return found


async def test_retry_after_reschedules_at_the_asked_time(
    outbox: MemoryOutbox,
    clock: ManualClock,
    telegram: ScriptedMessenger,
    make_sender: SenderFactory,
) -> None:
    await put(outbox, "answer", ALICE)
    telegram.fail("answer", RetryAfter(12.5))
    sender = make_sender()
    start = clock.now

    await sender.drain_once()

    waiting = await row(outbox, "answer")
    assert waiting.status is OutboxStatus.PENDING
    assert waiting.next_attempt_at == start + timedelta(seconds=12.5)
    assert waiting.attempts == 1
    clock.advance(12)
    assert await sender.drain_once() == 0
    clock.advance(0.5)
    assert await sender.drain_once() == 1
    assert telegram.sent_keys() == ["answer"]
    assert (await row(outbox, "answer")).status is OutboxStatus.SENT


async def test_retry_after_holds_the_addresses_later_rows_but_not_others(
    outbox: MemoryOutbox,
    clock: ManualClock,
    telegram: ScriptedMessenger,
    make_sender: SenderFactory,
) -> None:
    for key in ("alice:1", "alice:2", "alice:3"):
        await put(outbox, key, ALICE)
    await put(outbox, "boris:1", BORIS)
    telegram.fail("alice:1", RetryAfter(30))
    sender = make_sender()

    await sender.drain_once()

    assert telegram.sent_keys() == ["boris:1"]
    assert [call.key for call in telegram.attempts if call.address == ALICE] == ["alice:1"]
    held = [await row(outbox, key) for key in ("alice:2", "alice:3")]
    assert {(r.status, r.next_attempt_at) for r in held} == {
        (OutboxStatus.PENDING, clock.now + timedelta(seconds=30))
    }
    clock.advance(30)
    await sender.drain_once()
    assert telegram.sent_keys(ALICE) == ["alice:1", "alice:2", "alice:3"]


async def test_retry_after_outlasts_max_attempts_but_is_bounded(
    outbox: MemoryOutbox,
    clock: ManualClock,
    telegram: ScriptedMessenger,
    make_sender: SenderFactory,
) -> None:
    await put(outbox, "patient", ALICE)
    await put(outbox, "hopeless", BORIS)
    telegram.fail("patient", *[RetryAfter(1) for _ in range(3)])
    telegram.fail("hopeless", *[RetryAfter(1) for _ in range(10)])
    sender = make_sender(max_attempts=2, max_retry_after_attempts=5)

    for _ in range(8):
        await sender.drain_once()
        clock.advance(1)

    assert telegram.sent_keys() == ["patient"]
    hopeless = await row(outbox, "hopeless")
    assert hopeless.status is OutboxStatus.FAILED
    assert [call.key for call in telegram.attempts].count("hopeless") == 5


async def test_transient_errors_back_off_exponentially_then_give_up(
    outbox: MemoryOutbox,
    clock: ManualClock,
    telegram: ScriptedMessenger,
    make_sender: SenderFactory,
) -> None:
    await put(outbox, "flaky", ALICE)
    telegram.fail("flaky", *[TransientError("502 Bad Gateway") for _ in range(10)])
    # random_fraction is 0.5 in these tests, so each delay is 3/4 of its ceiling.
    sender = make_sender(max_attempts=4, backoff_base=10, backoff_cap=30)

    delays = []
    for _ in range(3):
        before = clock.now
        assert await sender.drain_once() == 1
        waiting = await row(outbox, "flaky")
        assert waiting.status is OutboxStatus.PENDING
        delays.append((waiting.next_attempt_at - before).total_seconds())
        clock.now = waiting.next_attempt_at
    assert delays == [7.5, 15.0, 22.5]

    await sender.drain_once()

    failed = await row(outbox, "flaky")
    assert failed.status is OutboxStatus.FAILED
    assert failed.last_error == "gave up after 4 attempts: TransientError: 502 Bad Gateway"
    assert len(telegram.attempts) == 4
    assert telegram.sent == []


async def test_transient_error_then_success(
    outbox: MemoryOutbox,
    clock: ManualClock,
    telegram: ScriptedMessenger,
    make_sender: SenderFactory,
) -> None:
    await put(outbox, "flaky", ALICE)
    telegram.fail("flaky", TransientError("timeout"))
    sender = make_sender(backoff_base=1, backoff_cap=1)
    await sender.drain_once()
    clock.advance(1)
    await sender.drain_once()
    assert telegram.sent_keys() == ["flaky"]
    assert [call.key for call in telegram.attempts] == ["flaky", "flaky"]


async def test_unreachable_reader_is_marked_and_their_rows_cancelled(
    outbox: MemoryOutbox,
    clock: ManualClock,
    readers: RecordingReaders,
    telegram: ScriptedMessenger,
    make_sender: SenderFactory,
) -> None:
    await put(outbox, "alice:1", ALICE)
    await put(outbox, "alice:2", ALICE)
    await put(outbox, "alice:tomorrow", ALICE, not_before=clock.now + timedelta(days=1))
    await put(outbox, "boris:1", BORIS)
    telegram.fail("alice:1", RecipientUnreachable("Forbidden: bot was blocked by the user"))
    sender = make_sender()

    await sender.drain_once()

    assert readers.reachability == [(ALICE, False)]
    statuses = {r.key: r.status for r in outbox.rows}
    assert statuses == {
        "alice:1": OutboxStatus.FAILED,
        "alice:2": OutboxStatus.CANCELLED,
        "alice:tomorrow": OutboxStatus.CANCELLED,
        "boris:1": OutboxStatus.SENT,
    }
    assert [call.key for call in telegram.attempts if call.address == ALICE] == ["alice:1"]
    clock.advance(2 * 86400)
    assert await sender.drain_once() == 0


async def test_permanent_error_fails_only_that_row(
    outbox: MemoryOutbox, telegram: ScriptedMessenger, make_sender: SenderFactory
) -> None:
    await put(outbox, "bad", ALICE)
    await put(outbox, "good", ALICE)
    telegram.fail("bad", PermanentError("Bad Request: message is too long"))

    await make_sender().drain_once()

    bad = await row(outbox, "bad")
    assert (bad.status, bad.last_error) == (
        OutboxStatus.FAILED,
        "PermanentError: Bad Request: message is too long",
    )
    assert telegram.sent_keys() == ["good"]


async def test_an_unexpected_exception_is_retried_and_its_message_kept_out(
    outbox: MemoryOutbox,
    clock: ManualClock,
    telegram: ScriptedMessenger,
    make_sender: SenderFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await put(outbox, "k", ALICE, text="my diagnosis is private")
    telegram.fail("k", RuntimeError("https://api.telegram.org/bot123456:SECRET/sendMessage"))
    sender = make_sender(backoff_base=1, backoff_cap=1)

    with caplog.at_level(logging.DEBUG, logger="bot.outbox"):
        await sender.drain_once()

    waiting = await row(outbox, "k")
    assert waiting.status is OutboxStatus.PENDING
    assert waiting.last_error is not None
    assert waiting.last_error.startswith("RuntimeError at fakes.py:")
    assert "RuntimeError" in caplog.text
    for secret in ("SECRET", "diagnosis"):
        assert secret not in caplog.text
        assert secret not in waiting.last_error
    clock.advance(1)
    await sender.drain_once()
    assert telegram.sent_keys() == ["k"]


async def test_rows_for_a_platform_without_messenger_wait_with_one_warning(
    outbox: MemoryOutbox,
    clock: ManualClock,
    telegram: ScriptedMessenger,
    vk: ScriptedMessenger,
    make_sender: SenderFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await put(outbox, "vera:1", VERA)
    await put(outbox, "vera:2", VERA)
    await put(outbox, "alice:1", ALICE)
    telegram_only = make_sender(platforms=(Platform.TELEGRAM,), park_seconds=60)

    with caplog.at_level(logging.WARNING, logger="bot.outbox"):
        for _ in range(3):
            await telegram_only.drain_once()
            clock.advance(60)

    assert telegram.sent_keys() == ["alice:1"]
    for key in ("vera:1", "vera:2"):
        parked = await row(outbox, key)
        assert parked.status is OutboxStatus.PENDING
    assert caplog.text.count("no messenger for vk") == 1
    await make_sender().drain_once()
    assert vk.sent_keys() == ["vera:1", "vera:2"]
