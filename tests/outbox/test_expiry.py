"""Rows that stop being worth sending at a given time are dropped unsent after it."""

from __future__ import annotations

from datetime import timedelta

from handlers.core.ports import EXPIRES_KEY
from handlers.core.replies import Reply
from storage.models import OutboxStatus
from tests.outbox.fakes import ManualClock, ScriptedMessenger
from tests.outbox.helpers import ALICE, SenderFactory
from tests.outbox.memory_outbox import MemoryOutbox


async def test_a_row_past_its_expiry_is_dropped_and_a_fresh_one_sent(
    outbox: MemoryOutbox,
    clock: ManualClock,
    telegram: ScriptedMessenger,
    make_sender: SenderFactory,
) -> None:
    for key, worth in (("stale", 10), ("fresh", 60)):
        expires = (clock.now + timedelta(seconds=worth)).isoformat()
        assert await outbox.enqueue(key, ALICE, Reply(key).to_dict() | {EXPIRES_KEY: expires})
    clock.advance(30)

    assert await make_sender().drain_once() == 2

    assert telegram.sent_keys() == ["fresh"]
    stale = await outbox.get("stale")
    assert stale is not None
    assert (stale.status, stale.last_error) == (
        OutboxStatus.FAILED,
        "expired before it could be sent",
    )
