"""Plain records that storage returns and the rest of the application passes around."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Platform(enum.StrEnum):
    TELEGRAM = "telegram"
    VK = "vk"


@dataclass(frozen=True, slots=True)
class Address:
    """Where a reader (or a staff chat) is reached: a platform and its chat/peer id."""

    platform: Platform
    peer_id: int

    def __str__(self) -> str:
        return f"{self.platform}:{self.peer_id}"


class ConsentState(enum.StrEnum):
    UNKNOWN = "unknown"
    GIVEN = "given"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Reader:
    id: int
    address: Address
    language: str
    consent: ConsentState
    display_name: str | None
    reachable: bool
    created_at: datetime
    consent_at: datetime | None = None

    @property
    def has_consent(self) -> bool:
        return self.consent is ConsentState.GIVEN


class Direction(enum.StrEnum):
    IN = "in"
    OUT = "out"


@dataclass(frozen=True, slots=True)
class StoredMessage:
    id: int
    reader_id: int
    direction: Direction
    platform: Platform
    text: str | None
    attachments: list[dict[str, Any]]
    created_at: datetime


@dataclass(slots=True)
class DialogState:
    """The step a reader is at in a multi-step flow, and what they have answered so far.

    ``offered`` keeps the payloads of the buttons last shown, in display order, so that a
    reader whose client cannot show buttons can answer with the button's number.
    """

    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    offered: list[str] = field(default_factory=list)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    key: str
    address: Address
    payload: dict[str, Any]
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    reader_id: int | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
