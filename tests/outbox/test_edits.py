"""Rows that edit a message in place, and what happens when the platform refuses the edit."""

from __future__ import annotations

from bot.outbox import OutboxSender
from handlers.core.ports import EDIT_KEY
from handlers.core.replies import Reply
from storage.models import OutboxItem, OutboxStatus, Platform
from tests.outbox.fakes import ManualClock, RecordingReaders, ScriptedMessenger
from tests.outbox.helpers import ALICE
from tests.outbox.memory_outbox import MemoryOutbox


def recording_sender(
    outbox: MemoryOutbox, telegram: ScriptedMessenger, clock: ManualClock
) -> tuple[OutboxSender, list[tuple[str, int]]]:
    seen: list[tuple[str, int]] = []

    async def remember(item: OutboxItem, message_id: int) -> None:
        seen.append((item.key, message_id))

    sender = OutboxSender(
        outbox, RecordingReaders(), {Platform.TELEGRAM: telegram}, clock=clock, on_sent=remember
    )
    return sender, seen


async def test_an_edit_row_edits_the_message_it_names(
    outbox: MemoryOutbox, telegram: ScriptedMessenger, clock: ManualClock
) -> None:
    card = Reply("Ticket 12: answered")
    assert await outbox.enqueue("card:12:s1", ALICE, card.to_dict() | {EDIT_KEY: 77})
    sender, seen = recording_sender(outbox, telegram, clock)

    assert await sender.drain_once() == 1

    assert telegram.edits == [(ALICE, 77, card)]
    assert telegram.sent == []
    assert seen == [("card:12:s1", 77)]
    assert outbox.rows[0].status is OutboxStatus.SENT


async def test_an_edit_the_platform_refuses_is_sent_anew(
    outbox: MemoryOutbox, telegram: ScriptedMessenger, clock: ManualClock
) -> None:
    telegram.uneditable.add(77)
    card = Reply("Ticket 12: answered")
    assert await outbox.enqueue("card:12:s1", ALICE, card.to_dict() | {EDIT_KEY: 77})
    sender, seen = recording_sender(outbox, telegram, clock)

    assert await sender.drain_once() == 1

    assert telegram.edits == []
    assert [(call.reply, call.key) for call in telegram.sent] == [(card, "card:12:s1")]
    assert seen == [("card:12:s1", 1)]
    assert outbox.rows[0].status is OutboxStatus.SENT
