"""Announcements read the real arrivals store through StoredArrivals: titles, covers (web
addresses and photos staff sent), subjects, and the digest window."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.publishing.stored_arrivals import StoredArrivals, cover
from handlers.publishing.posts import Image
from storage.arrival_models import ArrivalRecord
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import Platform
from tests.support.clock import SettableClock

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
async def stored(tmp_path: Path) -> AsyncIterator[tuple[Storage, SettableClock]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await upgrade(url)
    clock = SettableClock()
    async with Storage.open(url, clock=clock) as storage:
        yield storage, clock


async def test_announcements_see_the_store_as_arrivals(
    stored: tuple[Storage, SettableClock],
) -> None:
    storage, clock = stored
    _, heart = await storage.arrivals.store(
        ArrivalRecord(
            title="Кардиология",
            source="a.mrc",
            control_number="1",
            authors=("Чазов Е. И.",),
            year=2025,
            description="Национальное руководство",
            cover="https://opac.example/covers/1.jpg",
            subjects=("cardiology",),
        )
    )
    clock.now += timedelta(hours=1)
    _, nursing = await storage.arrivals.store(
        ArrivalRecord(
            title="Сестринское дело",
            source="manual",
            control_number="2",
            cover="telegram:AgADphoto",
            subjects=("nursing",),
        )
    )
    source = StoredArrivals(storage.arrivals)

    window = await source.added_between(START, START + timedelta(hours=2))
    assert [a.title for a in window] == ["Кардиология", "Сестринское дело"]
    first = window[0]
    assert first.authors == ("Чазов Е. И.",) and first.year == 2025
    assert first.description == "Национальное руководство"
    assert first.cover == Image(url="https://opac.example/covers/1.jpg")
    assert window[1].cover == Image(platform=Platform.TELEGRAM, ref="AgADphoto")
    assert [a.id for a in await source.by_subject("nursing")] == [nursing.id]
    assert [a.id for a in await source.by_ids([nursing.id, 999, heart.id])] == [
        nursing.id,
        heart.id,
    ]


@pytest.mark.parametrize("reference", [None, "", "ftp://x/y.jpg", "fax:123", "telegram:"])
def test_a_cover_that_cannot_be_posted_is_left_out(reference: str | None) -> None:
    assert cover(reference) is None
