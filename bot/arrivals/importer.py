"""One import: tell the input's format, read its records, map their subjects and store them
with de-duplication, counting what happened to each one."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from bot.arrivals.parsed import Unreadable
from handlers.arrivals.subjects import SubjectMap
from storage.arrival_models import (
    Arrival,
    ArrivalRecord,
    ImportSummary,
    Outcome,
    Reason,
    Rejection,
)

log = logging.getLogger(__name__)

SOURCE_LENGTH = 255


class ArrivalStore(Protocol):
    async def store(self, record: ArrivalRecord) -> tuple[Outcome, Arrival]: ...


class ArrivalImporter:
    """Imports files and feeds into ``store``, mapping headings through ``subjects``."""

    def __init__(self, store: ArrivalStore, subjects: SubjectMap) -> None:
        self._store = store
        self._subjects = subjects

    async def import_bytes(self, data: bytes, source: str) -> ImportSummary:
        """Import every record of ``data``; one bad record is rejected with its reason and
        never stops the rest. ``source`` names the file or feed."""
        source = source[:SOURCE_LENGTH]
        summary = ImportSummary(source)
        # The parsers (and xml.sax) load with the first import, not with the bot.
        from bot.arrivals.formats import reader_for

        found = reader_for(data)
        if found is None:
            summary.unreadable = Reason.UNKNOWN_FORMAT
            return summary
        _, read = found
        try:
            for number, parsed in enumerate(read(data, source), start=1):
                if isinstance(parsed, Rejection):
                    summary.rejected.append(parsed)
                else:
                    await self._store_one(summary, number, parsed)
        except Unreadable as error:
            summary.unreadable = error.reason
        return summary

    async def _store_one(self, summary: ImportSummary, number: int, record: ArrivalRecord) -> None:
        mapped = self._subjects.codes_for(record.headings)
        if mapped:
            record = replace(record, subjects=mapped)
        try:
            outcome, _ = await self._store.store(record)
        except SQLAlchemyError as error:
            log.warning("arrival %d of %s not stored: %s", number, summary.source, error)
            summary.reject(number, Reason.NOT_STORED, type(error).__name__)
            return
        summary.count(outcome)
