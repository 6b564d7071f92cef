"""The reminder choices a reader has, and the payloads of the screen that offers them."""

from __future__ import annotations

from handlers.core.payloads import pack

ACTION = "lr"
DAY_CHOICES = (1, 3, 7)
"""Days before a due date a reader may pick (the library's default is offered too)."""

SHOW = pack(ACTION, "show")
OFF = pack(ACTION, "off")
ON = pack(ACTION, "on")


def set_payload(days: int) -> str:
    return pack(ACTION, "set", str(days))


def choices(default_days: int) -> tuple[int, ...]:
    return tuple(sorted({*DAY_CHOICES, default_days}))
