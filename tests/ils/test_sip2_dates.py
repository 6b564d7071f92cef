"""SIP2 dates: the standard form out, and the due-date formats real servers send in."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ils.sip2.dates import format_sip_date, parse_sip_date

MOSCOW = ZoneInfo("Europe/Moscow")


def test_transaction_dates_are_local_with_a_blank_zone() -> None:
    moment = datetime(2027, 3, 10, 6, 5, 4, tzinfo=UTC)

    assert format_sip_date(moment, MOSCOW) == "20270310    090504"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20270315    235900", datetime(2027, 3, 15, 23, 59, tzinfo=MOSCOW)),  # Koha
        ("20270315   Z205900", datetime(2027, 3, 15, 20, 59, tzinfo=UTC)),  # UTC zone
        ("20270315", datetime(2027, 3, 15, 23, 59, tzinfo=MOSCOW)),
        ("2027-03-15 18:00:00", datetime(2027, 3, 15, 18, 0, tzinfo=MOSCOW)),  # Evergreen
        ("2027-03-15T18:00:00+03:00", datetime(2027, 3, 15, 15, 0, tzinfo=UTC)),
        ("2027-03-15", datetime(2027, 3, 15, 23, 59, tzinfo=MOSCOW)),
        ("15.03.2027", datetime(2027, 3, 15, 23, 59, tzinfo=MOSCOW)),  # Russian systems
        ("5.3.2027 14:30", datetime(2027, 3, 5, 14, 30, tzinfo=MOSCOW)),
        (" 20270315    235900 ", datetime(2027, 3, 15, 23, 59, tzinfo=MOSCOW)),
    ],
)
def test_due_dates_in_common_formats(text: str, expected: datetime) -> None:
    parsed = parse_sip_date(text, MOSCOW)

    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


@pytest.mark.parametrize(
    "text", ["", "   ", "soon", "20271345    000000", "31.02.2027", "03/15/2027"]
)
def test_what_is_no_date_is_none(text: str) -> None:
    assert parse_sip_date(text, MOSCOW) is None


@given(st.text(max_size=40))
def test_any_text_parses_to_a_date_or_none(text: str) -> None:
    parsed = parse_sip_date(text, MOSCOW)
    assert parsed is None or parsed.tzinfo is not None
