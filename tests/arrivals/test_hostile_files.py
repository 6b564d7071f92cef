"""Whatever bytes arrive as a file, an import answers with a summary and never raises."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.arrivals.importer import ArrivalImporter
from handlers.arrivals.subjects import SubjectMap
from storage.arrival_models import Arrival, ArrivalRecord, ImportSummary, Outcome
from tests.arrivals.conftest import START
from tests.arrivals.marc_samples import iso2709, rusmarc

SAMPLE = iso2709(rusmarc("Кардиология", number="RU1"), encoding="cp1251")


class MemoryStore:
    def __init__(self) -> None:
        self.records: list[ArrivalRecord] = []

    async def store(self, record: ArrivalRecord) -> tuple[Outcome, Arrival]:
        self.records.append(record)
        return Outcome.ADDED, Arrival(len(self.records), record, START, START)


def run(data: bytes) -> ImportSummary:
    importer = ArrivalImporter(MemoryStore(), SubjectMap())
    return asyncio.run(importer.import_bytes(data, "fuzz"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes(data: bytes) -> None:
    summary = run(data)
    assert summary.added + len(summary.rejected) >= 0


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(SAMPLE) - 1), st.binary(min_size=1, max_size=8))
def test_a_damaged_iso2709_record(position: int, garbage: bytes) -> None:
    data = SAMPLE[:position] + garbage + SAMPLE[position + len(garbage) :]
    summary = run(data + SAMPLE)
    assert summary.unreadable is None or position < 24


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_csv_like_text(text: str) -> None:
    run(("title;year;isbn\n" + text).encode())
