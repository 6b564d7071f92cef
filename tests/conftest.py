"""Suite-wide settings.

``TEST_CLOCK_AT`` (an ISO date or datetime) runs the whole suite with the wall clock moved
there and ticking on, through time-machine. ``.ci/run`` runs the suite once that way, years
ahead, so that a test which silently depends on today's date fails instead of waiting for the
calendar to catch up with it. Monotonic clocks, which asyncio and the rate limiters use, are
left alone.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
import time_machine

CLOCK_AT = "TEST_CLOCK_AT"

_travellers: list[time_machine.travel] = []


def _destination(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    value = os.environ.get(CLOCK_AT, "").strip()
    if not value:
        return
    traveller = time_machine.travel(_destination(value), tick=True)
    traveller.start()
    _travellers.append(traveller)


def pytest_unconfigure(config: pytest.Config) -> None:
    while _travellers:
        _travellers.pop().stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    if not _travellers:
        return None
    return f"wall clock moved to {datetime.now(UTC).isoformat(timespec='seconds')} ({CLOCK_AT})"
