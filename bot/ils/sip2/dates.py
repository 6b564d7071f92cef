"""SIP2 dates: ``YYYYMMDDZZZZHHMMSS`` on the wire, and the free-form due dates servers send.

The standard's zone ``ZZZZ`` is four blanks for the ACS's local time, or ``   Z`` for UTC. Due
dates (AH) are "any format" by the standard: Koha sends the standard form, Evergreen an ISO
timestamp, Russian systems often ``DD.MM.YYYY``. A date without a time means the end of that
day in the library's time zone, which is when a loan due "on" a day is really late.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

_STANDARD = re.compile(r"(\d{8})(.{4})(\d{6})")
_DAY_FIRST = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?")
_END_OF_DAY = time(23, 59)


def format_sip_date(moment: datetime, tz: ZoneInfo) -> str:
    """18 characters, local to the library, zone left blank as the standard allows."""
    return moment.astimezone(tz).strftime("%Y%m%d    %H%M%S")


def parse_sip_date(text: str, tz: ZoneInfo) -> datetime | None:
    """A timezone-aware datetime, or None when the text is no date this parser knows."""
    value = text.strip()
    if not value:
        return None
    try:
        return _parse(value, tz)
    except ValueError:
        return None


def _parse(value: str, tz: ZoneInfo) -> datetime | None:
    standard = _STANDARD.fullmatch(value)
    if standard:
        day, zone, clock = standard.groups()
        moment = datetime.strptime(day + clock, "%Y%m%d%H%M%S")
        return moment.replace(tzinfo=UTC if zone.strip() == "Z" else tz)
    if re.fullmatch(r"\d{8}", value):
        return datetime.combine(datetime.strptime(value, "%Y%m%d").date(), _END_OF_DAY, tz)
    day_first = _DAY_FIRST.fullmatch(value)
    if day_first:
        d, m, y, hh, mm, ss = day_first.groups()
        if hh is None:
            return datetime(int(y), int(m), int(d), 23, 59, tzinfo=tz)
        return datetime(int(y), int(m), int(d), int(hh), int(mm), int(ss or 0), tzinfo=tz)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return datetime.combine(datetime.fromisoformat(value).date(), _END_OF_DAY, tz)
    if _ISO.fullmatch(value):
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)
    return None
