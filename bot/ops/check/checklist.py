"""The checklist ``python -m bot check`` prints: one line per item, a fix under each failure,
and never a secret."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Status(enum.StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Item:
    """One checked thing. ``fix`` says what to do about a failure or a warning."""

    name: str
    status: Status
    detail: str = ""
    fix: str = ""


def ok(name: str, detail: str = "") -> Item:
    return Item(name, Status.OK, detail)


def fail(name: str, detail: str, fix: str) -> Item:
    return Item(name, Status.FAIL, detail, fix)


def warn(name: str, detail: str, fix: str = "") -> Item:
    return Item(name, Status.WARN, detail, fix)


def skip(name: str, detail: str) -> Item:
    return Item(name, Status.SKIP, detail)


class Redactor:
    """Removes every configured secret from text before it is printed. Platform error
    messages are quoted in the checklist, and a network error can carry a URL."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def render(items: Iterable[Item], redact: Redactor) -> str:
    lines = []
    for item in items:
        label = f"[{item.status.value:^4}]"
        detail = f": {item.detail}" if item.detail else ""
        lines.append(redact(f"{label} {item.name}{detail}"))
        if item.fix and item.status in (Status.FAIL, Status.WARN):
            lines.append(redact(f"       Fix: {item.fix}"))
    return "\n".join(lines)


def failed(items: Iterable[Item]) -> bool:
    return any(item.status is Status.FAIL for item in items)
