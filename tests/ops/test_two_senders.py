"""Two outbox senders, as two processes would run them, on one PostgreSQL database: every
row is sent exactly once, and both take part (``FOR UPDATE SKIP LOCKED``)."""

from __future__ import annotations

import asyncio
from collections import Counter

from bot.outbox import OutboxSender, SenderTuning
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import Address, OutboxStatus, Platform
from tests.ops.conftest import Clock, eventually, needs_postgres
from tests.outbox.fakes import ScriptedMessenger
from tests.outbox.helpers import put

READERS = 100
ROWS_EACH = 3


@needs_postgres
async def test_two_senders_on_one_database_send_each_row_once(postgres_url: str) -> None:
    await upgrade(postgres_url)
    clock = Clock()
    first_store = Storage.open(postgres_url, clock)
    second_store = Storage.open(postgres_url, clock)
    first, second = ScriptedMessenger(Platform.TELEGRAM), ScriptedMessenger(Platform.TELEGRAM)
    tuning = SenderTuning(lease_seconds=600, poll_interval=0.05, batch_size=10)
    senders = [
        OutboxSender(
            store.outbox, store.readers, {Platform.TELEGRAM: m}, clock=clock, tuning=tuning
        )
        for store, m in ((first_store, first), (second_store, second))
    ]
    keys = [f"r{reader}:{n}" for reader in range(READERS) for n in range(ROWS_EACH)]
    for key in keys:
        reader = int(key[1:].split(":")[0])
        await put(first_store.outbox, key, Address(Platform.TELEGRAM, 10_000 + reader))
    stop = asyncio.Event()
    running = [asyncio.create_task(sender.run(stop)) for sender in senders]
    try:
        await eventually(lambda: len(first.sent) + len(second.sent) >= len(keys), within=60)
    finally:
        stop.set()
        await asyncio.gather(*running)

    sent = Counter(call.key for call in [*first.sent, *second.sent])
    assert sorted(sent, key=str) == sorted(keys)
    assert set(sent.values()) == {1}, "a row was sent twice"
    assert first.sent and second.sent, "both senders took part"
    for messenger in (first, second):
        for address in {call.address for call in messenger.sent}:
            ordered = messenger.sent_keys(address)
            assert ordered == sorted(ordered, key=str)
    rows = [await second_store.outbox.get(key) for key in keys]
    assert {row.status for row in rows if row is not None} == {OutboxStatus.SENT}
    await first_store.close()
    await second_store.close()
