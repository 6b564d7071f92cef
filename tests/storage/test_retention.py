"""Retention in storage: what is older than the period goes as completely as a /forget —
no word of it in any table (both backends) or in the bytes of the SQLite file and its log —
while newer data and the reader's account stay."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from storage.database import Storage
from storage.models import Address, Platform, PurgeCounts
from tests.storage.conftest import is_postgres
from tests.storage.full_reader import GONE_ID, GONE_WORDS, KEPT_ID, KEPT_WORDS, fill
from tests.storage.tickets_support import T0
from tests.storage.traces import bytes_holding, file_bytes, table_text, tables_holding
from tests.support.clock import SettableClock

RETENTION = timedelta(days=365)
NOW = T0 + timedelta(days=400)
OLD_WORDS = {key: word for key, word in GONE_WORDS.items() if key != "name"}
"""The reader's name stays with their account until they ask to be forgotten."""


@pytest.fixture
async def clocked(database_url: str) -> AsyncIterator[tuple[Storage, SettableClock]]:
    clock = SettableClock(T0)
    async with Storage.open(database_url, clock=clock) as opened:
        yield opened, clock


async def old_and_new(storage: Storage, clock: SettableClock) -> None:
    """One reader active 400 days ago, another today."""
    await fill(storage, GONE_ID, GONE_WORDS, start=T0)
    clock.now = NOW - timedelta(hours=1)
    await fill(storage, KEPT_ID, KEPT_WORDS, start=clock.now)
    clock.now = NOW


async def test_retention_leaves_no_old_word_in_any_table(
    clocked: tuple[Storage, SettableClock],
) -> None:
    storage, clock = clocked
    await old_and_new(storage, clock)
    assert tables_holding(await table_text(storage), OLD_WORDS.values(), [])

    counts = await storage.retention.purge_before(NOW - RETENTION)

    assert tables_holding(await table_text(storage), OLD_WORDS.values(), []) == set()
    # Four settled outbox rows of the old reader: the renewal notice to staff, the reply and
    # the loan reminder sent, and the answer that failed.
    assert counts == PurgeCounts(messages=1, tickets=2, outbox_rows=4, dialog_states=1)
    kept = tables_holding(await table_text(storage), KEPT_WORDS.values(), [KEPT_ID])
    assert {found.split(":")[0] for found in kept} >= {
        "readers",
        "messages",
        "tickets",
        "ticket_messages",
        "outbox",
    }
    old = await storage.readers.get(Address(Platform.TELEGRAM, GONE_ID))
    assert old is not None and old.display_name == f"Ольга {GONE_WORDS['name']}"
    assert await storage.tickets.for_reader(old.id) == []


async def test_retention_leaves_no_old_byte_in_the_sqlite_files(
    clocked: tuple[Storage, SettableClock], database_url: str
) -> None:
    if is_postgres(database_url):
        return  # PostgreSQL keeps dead rows until VACUUM: only the table check applies.
    storage, clock = clocked
    await old_and_new(storage, clock)
    assert bytes_holding(file_bytes(storage), OLD_WORDS.values(), []) >= {
        "квазибраминовых",
        "vorpalfungus",
        "плюмбофилин",
    }, "the search finds the traces while they are there"

    await storage.retention.purge_before(NOW - RETENTION)

    assert bytes_holding(file_bytes(storage), OLD_WORDS.values(), []) == set()
    assert bytes_holding(file_bytes(storage), KEPT_WORDS.values(), []) >= {
        "фибриномантия",
        "quillbrattle",
    }
