"""Rows are delivered through the right messenger, in order per address, with bounded
concurrency."""

from __future__ import annotations

from bot.outbox import OutboxSender
from handlers.core.replies import Button, Reply
from storage.models import Address, OutboxItem, OutboxStatus, Platform
from tests.outbox.fakes import ManualClock, RecordingReaders, ScriptedMessenger
from tests.outbox.helpers import ALICE, BORIS, VERA, SenderFactory, put
from tests.outbox.memory_outbox import MemoryOutbox


async def test_rows_are_sent_by_their_platform_and_marked_sent(
    outbox: MemoryOutbox,
    clock: ManualClock,
    telegram: ScriptedMessenger,
    vk: ScriptedMessenger,
    make_sender: SenderFactory,
) -> None:
    reply = Reply("Your book is ready", buttons=((Button("Renew", "renew:7"),),))
    assert await outbox.enqueue("ready:7", ALICE, reply.to_dict())
    await put(outbox, "digest:vera", VERA)

    assert await make_sender().drain_once() == 2

    assert [(c.address, c.reply, c.key) for c in telegram.sent] == [(ALICE, reply, "ready:7")]
    assert vk.sent_keys() == ["digest:vera"]
    for row in outbox.rows:
        assert (row.status, row.sent_at) == (OutboxStatus.SENT, clock.now)


async def test_nothing_due_means_nothing_claimed(
    outbox: MemoryOutbox,
    clock: ManualClock,
    telegram: ScriptedMessenger,
    make_sender: SenderFactory,
) -> None:
    sender = make_sender()
    assert await sender.drain_once() == 0
    await put(outbox, "reminder", ALICE, not_before=clock.now.replace(hour=12))
    assert await sender.drain_once() == 0
    clock.advance(3 * 3600)
    assert await sender.drain_once() == 1
    assert telegram.sent_keys() == ["reminder"]


async def test_one_address_gets_its_rows_in_id_order_one_at_a_time(
    outbox: MemoryOutbox, telegram: ScriptedMessenger, make_sender: SenderFactory
) -> None:
    for n in range(5):
        await put(outbox, f"alice:{n}", ALICE)
        await put(outbox, f"boris:{n}", BORIS)

    assert await make_sender().drain_once() == 10

    assert telegram.sent_keys(ALICE) == [f"alice:{n}" for n in range(5)]
    assert telegram.sent_keys(BORIS) == [f"boris:{n}" for n in range(5)]
    assert telegram.max_in_flight_per_address == 1
    assert telegram.max_in_flight == 2


async def test_concurrency_across_addresses_is_bounded(
    outbox: MemoryOutbox, telegram: ScriptedMessenger, make_sender: SenderFactory
) -> None:
    for peer in range(6):
        await put(outbox, f"news:{peer}", Address(Platform.TELEGRAM, peer))

    assert await make_sender(concurrency=2).drain_once() == 6

    assert len(telegram.sent) == 6
    assert telegram.max_in_flight == 2


async def test_a_batch_is_at_most_batch_size_rows(
    outbox: MemoryOutbox, telegram: ScriptedMessenger, make_sender: SenderFactory
) -> None:
    for n in range(5):
        await put(outbox, f"k{n}", ALICE)
    sender = make_sender(batch_size=2)
    assert [await sender.drain_once() for _ in range(4)] == [2, 2, 1, 0]
    assert telegram.sent_keys() == [f"k{n}" for n in range(5)]


async def test_an_undecodable_payload_fails_without_a_send(
    outbox: MemoryOutbox, telegram: ScriptedMessenger, make_sender: SenderFactory
) -> None:
    assert await outbox.enqueue("broken", ALICE, {"text": "x", "buttons": [["only-one"]]})
    await put(outbox, "fine", ALICE)

    await make_sender().drain_once()

    broken = await outbox.get("broken")
    assert broken is not None
    assert broken.status is OutboxStatus.FAILED
    assert broken.last_error is not None
    assert broken.last_error.startswith("undecodable payload: ValueError")
    assert telegram.sent_keys() == ["fine"]


async def test_the_after_send_hook_learns_the_platform_message_id(
    outbox: MemoryOutbox,
    readers: RecordingReaders,
    telegram: ScriptedMessenger,
    vk: ScriptedMessenger,
    clock: ManualClock,
) -> None:
    seen: list[tuple[str, int]] = []

    async def remember(item: OutboxItem, message_id: int) -> None:
        seen.append((item.key, message_id))
        raise RuntimeError("a failing hook must not undo the delivery")

    sender = OutboxSender(
        outbox,
        readers,
        {Platform.TELEGRAM: telegram, Platform.VK: vk},
        clock=clock,
        on_sent=remember,
    )
    await put(outbox, "card:1", ALICE)
    assert await sender.drain_once() == 1
    assert seen == [("card:1", 1)]
    assert outbox.rows[0].status is OutboxStatus.SENT
