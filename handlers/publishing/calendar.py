"""The content calendar: posts due at a time, and CSV calendars of memorable dates."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.publishing.announcer import Announcer
from handlers.publishing.ports import Calendar
from handlers.publishing.posts import Image, Post

CSV_HEADER = ("date", "text", "image_url")
"""A memorable-dates calendar: ``date`` as ``DD.MM`` (every year) or ``YYYY-MM-DD``, the
post's ``text``, and an optional ``image_url``."""

log = logging.getLogger(__name__)

_WHEN = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2})\s*")


def is_calendar(data: bytes) -> bool:
    """Whether a CSV file's header is a memorable-dates calendar's (other CSV files sent to
    the staff chat, such as arrivals, belong to other features)."""
    first = _decode(data[:4096]).splitlines()[:1]
    names = {name.strip().lower() for name in next(csv.reader(first), [])}
    return {"date", "text"} <= names


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


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
    """Posts whatever the calendar holds that has come due; each post once. A post that came
    due more than ``grace`` ago (the bot was down) is marked missed instead: a greeting for a
    date that has passed would be out of place."""

    def __init__(self, calendar: Calendar, announcer: Announcer, grace: timedelta) -> None:
        self._calendar = calendar
        self._announcer = announcer
        self._grace = grace

    async def post_due(self, now: datetime) -> int:
        posted = 0
        for entry in await self._calendar.due(now):
            if entry.due_at < now - self._grace:
                await self._calendar.mark_missed(entry.id)
                log.warning(
                    "calendar: post #%d was due at %s and is missed", entry.id, entry.due_at
                )
                continue
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


def _due(raw: str, now: datetime, zone: ZoneInfo, post_time: time) -> datetime | None:
    """When a line's post is due: a ``YYYY-MM-DD`` date at ``post_time``, None if that has
    passed; a ``DD.MM`` date at its next occurrence."""
    raw = raw.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            due = datetime.combine(date.fromisoformat(raw), post_time, tzinfo=zone)
            return due if due >= now else None
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})", raw)
        if match is None:
            return None
        day, month = int(match.group(1)), int(match.group(2))
        year = now.astimezone(zone).year
        for candidate in (year, year + 1, year + 4):  # 29.02 waits for a leap year
            try:
                due = datetime.combine(date(candidate, month, day), post_time, tzinfo=zone)
            except ValueError:
                continue
            if due >= now:
                return due
        return None
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
    date: its next occurrence). Bad lines, and dates already past, are reported and skipped;
    a line loaded before is not scheduled twice."""
    zone = ZoneInfo(timezone)
    reader = csv.DictReader(io.StringIO(_decode(data)))
    if reader.fieldnames is None or not {"date", "text"} <= {
        name.strip().lower() for name in reader.fieldnames
    }:
        return CsvLoad(0, 0, ((1, "header"),))
    added = repeated = 0
    rejected: list[tuple[int, str]] = []
    for line, raw in enumerate(reader, 2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        due = _due(row.get("date", ""), now, zone, post_time)
        body = row.get("text", "")
        url = row.get("image_url", "")
        if due is None:
            rejected.append((line, "date"))
            continue
        if not body:
            rejected.append((line, "text"))
            continue
        if url and not url.startswith(("http://", "https://")):
            rejected.append((line, "image_url"))
            continue
        post = Post(text=body, images=(Image(url=url),) if url else ())
        digest = hashlib.sha256(f"{due.date()}|{body}|{url}".encode()).hexdigest()[:32]
        if await calendar.add(due, post.to_dict(), "calendar", created_by, f"csv:{digest}"):
            added += 1
        else:
            repeated += 1
    return CsvLoad(added, repeated, tuple(rejected))
