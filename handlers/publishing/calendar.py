"""The content calendar: posts due at a time, and CSV calendars of memorable dates."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from handlers.publishing.announcer import Announcer
from handlers.publishing.ports import Calendar
from handlers.publishing.posts import Image, Post

CSV_HEADER = ("date", "text", "image_url")
"""A memorable-dates calendar: ``date`` as ``DD.MM`` (every year) or ``YYYY-MM-DD``, the
post's ``text``, and an optional ``image_url``."""

_WHEN = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2})\s*")


def parse_when(text: str, timezone: str) -> tuple[datetime, str] | None:
    """``ДД.ММ.ГГГГ ЧЧ:ММ rest`` → the aware time and the rest, or None."""
    match = _WHEN.match(text)
    if match is None:
        return None
    day, month, year, hour, minute = (int(g) for g in match.groups())
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(timezone))
    except ValueError:
        return None
    return local, text[match.end() :]


class CalendarPosts:
    """Posts whatever the calendar holds that has come due; each post once."""

    def __init__(self, calendar: Calendar, announcer: Announcer) -> None:
        self._calendar = calendar
        self._announcer = announcer

    async def post_due(self, now: datetime) -> int:
        posted = 0
        for entry in await self._calendar.due(now):
            await self._announcer.announce(f"post:{entry.id}", Post.from_dict(entry.post))
            await self._calendar.mark_queued(entry.id)
            posted += 1
        return posted


@dataclass(frozen=True, slots=True)
class CsvLoad:
    added: int
    repeated: int
    rejected: tuple[tuple[int, str], ...]
    """(line number, reason) of each line left out."""


def _dates(raw: str, today: date) -> date | None:
    raw = raw.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw)
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})", raw)
        if match is None:
            return None
        day, month = int(match.group(1)), int(match.group(2))
        this_year = date(today.year, month, day)
        return this_year if this_year >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


async def load_csv(
    data: bytes,
    calendar: Calendar,
    *,
    now: datetime,
    timezone: str,
    post_time: time,
    created_by: str | None,
) -> CsvLoad:
    """Schedule each line of a memorable-dates CSV at ``post_time`` on its day (a ``DD.MM``
    date: its next occurrence). Bad lines are reported and skipped; a line loaded before is
    not scheduled twice."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"date", "text"} <= {
        name.strip().lower() for name in reader.fieldnames
    }:
        return CsvLoad(0, 0, ((1, "header"),))
    added = repeated = 0
    rejected: list[tuple[int, str]] = []
    for line, raw in enumerate(reader, 2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        day = _dates(row.get("date", ""), today)
        body = row.get("text", "")
        url = row.get("image_url", "")
        if day is None:
            rejected.append((line, "date"))
            continue
        if not body:
            rejected.append((line, "text"))
            continue
        if url and not url.startswith(("http://", "https://")):
            rejected.append((line, "image_url"))
            continue
        due = datetime.combine(day, post_time, tzinfo=zone)
        post = Post(text=body, images=(Image(url=url),) if url else ())
        digest = hashlib.sha256(f"{day}|{body}|{url}".encode()).hexdigest()[:32]
        if await calendar.add(due, post.to_dict(), "calendar", created_by, f"csv:{digest}"):
            added += 1
        else:
            repeated += 1
    return CsvLoad(added, repeated, tuple(rejected))
