"""What the arrivals feature needs from storage and from the importers."""

from __future__ import annotations

from typing import Protocol

from storage.arrival_models import Arrival, ArrivalPage, ArrivalRecord, ImportSummary, Outcome


class Arrivals(Protocol):
    async def store(self, record: ArrivalRecord) -> tuple[Outcome, Arrival]: ...

    async def latest(self, offset: int, limit: int, subject: str | None = None) -> ArrivalPage:
        """A page of arrivals, newest first (of one library subject when given)."""
        ...

    async def subject_counts(self) -> dict[str, int]: ...

    async def search(self, query: str, limit: int) -> list[Arrival]:
        """Arrivals matching every word of ``query`` in any of its forms, best first."""
        ...


class FileImporter(Protocol):
    async def import_bytes(self, data: bytes, source: str) -> ImportSummary:
        """Import every record of a file; bad records are rejected, never fatal."""
        ...
