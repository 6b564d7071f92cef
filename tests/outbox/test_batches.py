"""Rows with one batch name and one payload go to many VK peers in one call, and each row is
settled by its own peer's outcome; a refusal of the whole call puts every row back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from bot.outbox import OutboxSender
from handlers.core.messenger import DeliveryError, RecipientUnreachable, RetryAfter
from handlers.core.ports import BATCH_KEY
from handlers.core.replies import Reply
from storage.models import Address, OutboxStatus, Platform
from tests.outbox.fakes import ManualClock, RecordingReaders, ScriptedMessenger
from tests.outbox.memory_outbox import MemoryOutbox

PEERS = [Address(Platform.VK, 3000 + n) for n in range(4)]


class BatchingVk(ScriptedMessenger):
    """A VK messenger with ``send_many``: records each call's peers; scripted per peer."""

    def __init__(self) -> None:
        super().__init__(Platform.VK)
        self.batches: list[tuple[list[int], str | None]] = []
        self.per_peer: dict[int, DeliveryError] = {}
        self.whole_call: list[BaseException] = []

    async def send_many(
        self, peer_ids: Sequence[int], reply: Reply, key: str | None = None
    ) -> Mapping[int, int | DeliveryError]:
        if self.whole_call:
            raise self.whole_call.pop(0)
        self.batches.append((list(peer_ids), key))
        return {peer: self.per_peer.get(peer, 100 + peer) for peer in peer_ids}


async def queue(outbox: MemoryOutbox, batch: str | None, text: str = "Новинки") -> None:
    payload = Reply(text).to_dict() | ({BATCH_KEY: batch} if batch else {})
    for number, peer in enumerate(PEERS):
        assert await outbox.enqueue(f"{batch}:{number}", peer, payload, reader_id=number)


def sender(outbox: MemoryOutbox, vk: BatchingVk, clock: ManualClock) -> OutboxSender:
    return OutboxSender(
        outbox, RecordingReaders(), {Platform.VK: vk}, clock=clock, random_fraction=lambda: 0.5
    )


async def test_one_call_for_identical_rows_each_settled_by_its_peer(
    outbox: MemoryOutbox, clock: ManualClock
) -> None:
    vk = BatchingVk()
    vk.per_peer[PEERS[1].peer_id] = RecipientUnreachable("901")
    await queue(outbox, "sdi:0:7:ru:abc")
    readers = RecordingReaders()
    delivering = OutboxSender(outbox, readers, {Platform.VK: vk}, clock=clock)

    assert await delivering.drain_once() == 4

    assert vk.batches == [([p.peer_id for p in PEERS], "sdi:0:7:ru:abc")]
    assert vk.sent == [], "nothing went one by one"
    statuses = [row.status for row in outbox.rows]
    assert statuses == [
        OutboxStatus.SENT,
        OutboxStatus.FAILED,
        OutboxStatus.SENT,
        OutboxStatus.SENT,
    ]
    assert readers.reachability == [(PEERS[1], False)]


async def test_a_refused_call_puts_every_row_back_until_its_time(
    outbox: MemoryOutbox, clock: ManualClock
) -> None:
    vk = BatchingVk()
    vk.whole_call.append(RetryAfter(5))
    await queue(outbox, "sdi:0:8:ru:def")
    delivering = sender(outbox, vk, clock)

    assert await delivering.drain_once() == 4
    assert vk.batches == []
    assert {row.status for row in outbox.rows} == {OutboxStatus.PENDING}
    assert await delivering.drain_once() == 0, "not before the time VK asked for"

    clock.now += timedelta(seconds=5)
    assert await delivering.drain_once() == 4
    assert len(vk.batches) == 1 and len(vk.batches[0][0]) == 4
    assert {row.status for row in outbox.rows} == {OutboxStatus.SENT}


async def test_rows_without_a_batch_name_or_with_other_payloads_go_one_by_one(
    outbox: MemoryOutbox, clock: ManualClock
) -> None:
    vk = BatchingVk()
    await queue(outbox, None)
    for number, peer in enumerate(PEERS):
        payload = Reply(f"только для {number}").to_dict() | {BATCH_KEY: "sdi:0:9:ru:x"}
        assert await outbox.enqueue(f"own:{number}", peer, payload)

    while await sender(outbox, vk, clock).drain_once():
        pass

    assert vk.batches == []
    assert len(vk.sent) == 8
    assert {row.status for row in outbox.rows} == {OutboxStatus.SENT}


async def test_an_address_with_other_rows_claimed_keeps_its_order(
    outbox: MemoryOutbox, clock: ManualClock
) -> None:
    vk = BatchingVk()
    assert await outbox.enqueue("answer:1", PEERS[0], Reply("Ответ").to_dict())
    await queue(outbox, "sdi:0:10:ru:y")

    await sender(outbox, vk, clock).drain_once()

    assert vk.batches == [([p.peer_id for p in PEERS[1:]], "sdi:0:10:ru:y")]
    assert vk.sent_keys(PEERS[0]) == ["answer:1", "sdi:0:10:ru:y"], "the batch's own key"
