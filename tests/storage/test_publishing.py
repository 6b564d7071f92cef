"""Digest runs and the content calendar on both backends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.database import Storage
from storage.publishing import DigestStatus, PostStatus

RUN = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


async def test_a_run_is_recorded_once_and_the_next_starts_where_it_ended(
    storage: Storage,
) -> None:
    assert await storage.digests.last_until(RUN) is None
    first = await storage.digests.create(
        RUN, RUN - timedelta(days=7), RUN, [3, 1], DigestStatus.PUBLISHED
    )
    assert first is not None and first.arrival_ids == (3, 1)
    assert await storage.digests.create(RUN, RUN, RUN, [9], DigestStatus.EMPTY) is None

    later = RUN + timedelta(days=3)
    assert await storage.digests.last_until(later) == RUN
    assert await storage.digests.last_until(RUN) is None
    stored = await storage.digests.get(RUN)
    assert stored == first


async def test_of_two_racing_decisions_exactly_one_wins(storage: Storage) -> None:
    run = await storage.digests.create(RUN, RUN, RUN, [1], DigestStatus.AWAITING)
    assert run is not None

    outcomes = await asyncio.gather(
        storage.digests.decide(run.id, DigestStatus.PUBLISHED, "Мария"),
        storage.digests.decide(run.id, DigestStatus.SKIPPED, "Пётр"),
    )

    assert sorted(outcomes) == [False, True]
    decided = await storage.digests.get_by_id(run.id)
    assert decided is not None
    winner = "Мария" if outcomes[0] else "Пётр"
    assert decided.decided_by == winner
    assert decided.status is (DigestStatus.PUBLISHED if outcomes[0] else DigestStatus.SKIPPED)


async def test_calendar_entries_come_due_in_order_once(storage: Storage) -> None:
    later = await storage.calendar.add(RUN + timedelta(hours=2), {"text": "b"}, "post", "Мария")
    sooner = await storage.calendar.add(RUN + timedelta(hours=1), {"text": "a"}, "post", None)
    loaded = await storage.calendar.add(RUN, {"text": "c"}, "calendar", None, "csv:x")
    assert await storage.calendar.add(RUN, {"text": "c"}, "calendar", None, "csv:x") is None

    assert [e.id for e in await storage.calendar.upcoming()] == [loaded, sooner, later]
    due = await storage.calendar.due(RUN + timedelta(hours=1))
    assert [e.id for e in due] == [loaded, sooner]
    assert due[0].post == {"text": "c"} and due[0].status is PostStatus.SCHEDULED

    assert loaded is not None and sooner is not None and later is not None
    assert await storage.calendar.mark_queued(loaded)
    assert not await storage.calendar.mark_queued(loaded)
    assert await storage.calendar.cancel(later)
    assert not await storage.calendar.cancel(later)
    assert await storage.calendar.mark_missed(sooner)
    assert await storage.calendar.due(RUN + timedelta(days=1)) == []
