"""Small text helpers shared by the staff side: local times, durations, message splitting."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.core.i18n import Translator, days_count

MESSAGE_LIMIT = 4000
"""Below Telegram's 4096 and VK's 4096 characters, leaving room for adapters' additions
(VK appends numbered button fallbacks)."""


def local_time(moment: datetime, timezone: str) -> str:
    """``moment`` on the library's wall clock, as staff read it: ``25.11.2026 18:00``."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d.%m.%Y %H:%M")


def duration(span: timedelta, t: Translator) -> str:
    """A rough, readable length of time: days and hours, or minutes when under an hour."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return t("desk-duration-days", days=days_count(t, days), hours=hours)
    if hours:
        return t("desk-duration-hours", hours=hours, minutes=minutes)
    return t("desk-duration-minutes", minutes=minutes)


def pack_lines(lines: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into as few messages as fit within ``limit`` characters each; a single
    line longer than that is cut into pieces."""
    messages: list[str] = []
    current = ""
    for line in lines:
        for piece in _pieces(line, limit):
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
                continue
            if current:
                messages.append(current)
            current = piece
    if current:
        messages.append(current)
    return messages


def _pieces(line: str, limit: int) -> list[str]:
    if len(line) <= limit:
        return [line]
    return [line[start : start + limit] for start in range(0, len(line), limit)]


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
