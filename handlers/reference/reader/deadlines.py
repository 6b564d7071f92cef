"""Working time: when the library is open, when it next opens, and answer deadlines.

Everything is reckoned on the library's wall clock (``WorkingTime.timezone``): its weekdays,
its opening hours and its country's public holidays (the ``holidays`` package, which knows
Russia's New Year holidays and the days off moved by decree).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from handlers.core.config import WorkingTime

if TYPE_CHECKING:
    import holidays

_SEARCH_DAYS = 3 * 366
"""How far ahead to look for a working day before deciding the calendar has none."""


def is_open(at: datetime, working: WorkingTime) -> bool:
    """Whether the library is open at the aware moment ``at`` (closing time excluded)."""
    local = at.astimezone(ZoneInfo(working.timezone))
    return is_working_day(local.date(), working) and (
        working.opens <= local.time().replace(tzinfo=None) < working.closes
    )


def is_working_day(day: date, working: WorkingTime) -> bool:
    """A weekday the library works that is not a public holiday of its country."""
    return day.weekday() in working.weekdays and day not in _holidays(working.holidays_country)


def next_opening(at: datetime, working: WorkingTime) -> datetime:
    """The first moment at or after ``at`` when the library is open, in its time zone.

    ``at`` itself (converted) when the library is open then.
    """
    zone = ZoneInfo(working.timezone)
    local = at.astimezone(zone)
    if is_open(local, working):
        return local
    day = local.date()
    if not (is_working_day(day, working) and local.time().replace(tzinfo=None) < working.opens):
        day = _next_working_day(day, working)
    return datetime.combine(day, working.opens, tzinfo=zone)


def deadline(created_at: datetime, working_days: int, working: WorkingTime) -> datetime:
    """When a request made at ``created_at`` is due: ``working_days`` whole working days of
    opening hours later, in the library's time zone.

    Counting starts at the moment of submission when the library is open, otherwise at its
    next opening; a deadline that falls exactly on closing time stays on that day.
    """
    zone = ZoneInfo(working.timezone)
    day_length = _day_length(working)
    moment = next_opening(created_at, working)
    remaining = day_length * max(working_days, 0)
    while True:
        closing = datetime.combine(moment.date(), working.closes, tzinfo=zone)
        if remaining <= closing - moment:
            return moment + remaining
        remaining -= closing - moment
        moment = next_opening(closing, working)


def _day_length(working: WorkingTime) -> timedelta:
    today = date(2000, 1, 3)
    length = datetime.combine(today, working.closes) - datetime.combine(today, working.opens)
    if length <= timedelta(0):
        raise ValueError("the library must close after it opens")
    return length


def _next_working_day(after: date, working: WorkingTime) -> date:
    for offset in range(1, _SEARCH_DAYS):
        day = after + timedelta(days=offset)
        if is_working_day(day, working):
            return day
    raise ValueError("the working calendar has no working day")


@lru_cache(maxsize=8)
def _holidays(country: str) -> holidays.HolidayBase | frozenset[date]:
    """One calendar per country for the process; it fills in years as they are asked for."""
    if not country:
        return frozenset()
    # Imported on the first deadline, not at start: it is a large package.
    import holidays

    return holidays.country_holidays(country)
