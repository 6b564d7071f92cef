"""What the neutral core needs to know about the library, passed in by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import Address


@dataclass(frozen=True, slots=True)
class LibraryProfile:
    name: str
    timezone: str = "Europe/Moscow"
    working_hours: str = "Пн–Пт 09:00–18:00"
    contacts: str = ""


@dataclass(frozen=True, slots=True)
class ReaderPolicy:
    retention_days: int = 365
    max_text_length: int = 4000
    flood_burst: int = 20
    flood_period_seconds: float = 60.0
    max_attachments: int = 10


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    library: LibraryProfile
    policy: ReaderPolicy
    staff_chat: Address | None = None
