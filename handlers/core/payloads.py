"""Button payloads: short, colon-separated, validated on the way back in.

Payloads travel through the reader's client, so every press is treated as untrusted input:
only known shapes are accepted, and anything else is reported as an outdated button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PAYLOAD_BYTES = 64
"""Telegram's callback_data limit, the tighter of the two platforms."""

_PART = re.compile(r"^[a-z0-9_\-]{1,24}$")


@dataclass(frozen=True, slots=True)
class Payload:
    action: str
    args: tuple[str, ...] = ()

    def encode(self) -> str:
        text = ":".join((self.action, *self.args))
        if len(text.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"payload too long: {text!r}")
        return text

    def arg(self, index: int) -> str | None:
        return self.args[index] if index < len(self.args) else None


def pack(action: str, *args: str) -> str:
    return Payload(action, args).encode()


def parse(raw: str | None) -> Payload | None:
    """The payload's parts, or None when it is not one the bot could have made."""
    if not raw or len(raw.encode()) > MAX_PAYLOAD_BYTES:
        return None
    parts = raw.split(":")
    if len(parts) > 5 or not all(_PART.match(part) for part in parts):
        return None
    return Payload(parts[0], tuple(parts[1:]))
