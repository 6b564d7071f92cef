"""Working time and deadlines: weekends, Russia's holidays, opening hours and time zones."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.core.config import WorkingTime
from handlers.reference.reader.deadlines import deadline, is_open, is_working_day, next_opening

MSK = ZoneInfo("Europe/Moscow")
NSK = ZoneInfo("Asia/Novokuznetsk")
LIBRARY = WorkingTime()


def msk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MSK)


@pytest.mark.parametrize(
    ("created", "days", "due"),
    [
        # Monday 2026-11-23, in working hours: the same time a working day later.
        (msk(2026, 11, 23, 10), 1, msk(2026, 11, 24, 10)),
        (msk(2026, 11, 23, 9), 1, msk(2026, 11, 23, 18)),
        (msk(2026, 11, 23, 10), 3, msk(2026, 11, 26, 10)),
        # Before opening: counting starts at 09:00 the same day.
        (msk(2026, 11, 23, 7, 30), 1, msk(2026, 11, 23, 18)),
        # Friday afternoon: the weekend is skipped.
        (msk(2026, 11, 27, 17), 1, msk(2026, 11, 30, 17)),
        # Friday evening: counting starts on Monday morning.
        (msk(2026, 11, 27, 19), 1, msk(2026, 11, 30, 18)),
        (msk(2026, 11, 27, 18), 3, msk(2026, 12, 2, 18)),
        # Saturday.
        (msk(2026, 11, 28, 12), 3, msk(2026, 12, 2, 18)),
        # New Year: 1–8 January are holidays; 31 December and 9 January 2026 are days off
        # moved by decree.
        (msk(2025, 12, 30, 17), 1, msk(2026, 1, 12, 17)),
        (msk(2026, 1, 3, 12), 1, msk(2026, 1, 12, 18)),
        (msk(2026, 12, 30, 10), 3, msk(2027, 1, 13, 10)),
        # Defender of the Fatherland Day, Monday 23 February 2026.
        (msk(2026, 2, 20, 12), 1, msk(2026, 2, 24, 12)),
        # No working days: the next opening itself.
        (msk(2026, 11, 28, 12), 0, msk(2026, 11, 30, 9)),
    ],
)
def test_deadline_counts_working_days(created: datetime, days: int, due: datetime) -> None:
    assert deadline(created, days, LIBRARY) == due


def test_deadline_from_utc_lands_in_the_library_time_zone() -> None:
    # Friday 15:30 UTC is 18:30 in Moscow: the library has closed for the weekend.
    created = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
    due = deadline(created, 1, LIBRARY)
    assert due == msk(2026, 11, 30, 18)
    assert due.utcoffset() == timedelta(hours=3)


def test_a_library_in_another_time_zone_uses_its_own_clock() -> None:
    siberia = WorkingTime(timezone="Asia/Novokuznetsk")
    # 03:00 UTC is 10:00 in Novokuznetsk (open) and 06:00 in Moscow (closed).
    created = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert is_open(created, siberia)
    assert not is_open(created, LIBRARY)
    assert deadline(created, 1, siberia) == datetime(2026, 11, 24, 10, tzinfo=NSK)


def test_is_open_respects_hours_weekends_and_holidays() -> None:
    assert is_open(msk(2026, 11, 23, 9), LIBRARY)
    assert is_open(msk(2026, 11, 23, 17, 59), LIBRARY)
    assert not is_open(msk(2026, 11, 23, 18), LIBRARY)
    assert not is_open(msk(2026, 11, 23, 8, 59), LIBRARY)
    assert not is_open(msk(2026, 11, 28, 12), LIBRARY)  # Saturday
    assert not is_open(msk(2026, 1, 5, 12), LIBRARY)  # New Year holidays
    assert not is_open(msk(2026, 11, 4, 12), LIBRARY)  # National Unity Day


def test_next_opening() -> None:
    open_now = msk(2026, 11, 23, 12)
    assert next_opening(open_now, LIBRARY) == open_now
    assert next_opening(msk(2026, 11, 23, 6), LIBRARY) == msk(2026, 11, 23, 9)
    assert next_opening(msk(2026, 11, 23, 18), LIBRARY) == msk(2026, 11, 24, 9)
    assert next_opening(msk(2026, 11, 27, 20), LIBRARY) == msk(2026, 11, 30, 9)
    assert next_opening(msk(2025, 12, 31, 18, 30), LIBRARY) == msk(2026, 1, 12, 9)


def test_a_library_open_on_saturdays_with_no_holiday_calendar() -> None:
    working = WorkingTime(
        weekdays=frozenset(range(6)), opens=time(10), closes=time(14), holidays_country=""
    )
    assert is_working_day(msk(2026, 1, 1).date(), working)
    assert deadline(msk(2026, 11, 27, 13), 1, working) == msk(2026, 11, 28, 13)
    assert next_opening(msk(2026, 11, 28, 15), working) == msk(2026, 11, 30, 10)


def test_a_calendar_with_no_working_day_is_refused() -> None:
    with pytest.raises(ValueError, match="no working day"):
        next_opening(msk(2026, 11, 28, 12), WorkingTime(weekdays=frozenset()))


@given(
    created=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    days=st.integers(min_value=0, max_value=15),
)
def test_a_deadline_is_always_in_working_hours_and_never_early(
    created: datetime, days: int
) -> None:
    due = deadline(created, days, LIBRARY)
    assert due >= created
    local = due.astimezone(MSK)
    assert is_working_day(local.date(), LIBRARY)
    assert time(9) <= local.time() <= time(18)
    if days:
        assert due - created >= timedelta(hours=9 * days)
