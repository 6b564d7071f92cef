"""The playground's clock: the wall clock plus however far the page has moved it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.core.config import WorkingTime
from handlers.reference.reader.deadlines import is_working_day
from storage.types import utcnow


class PlaygroundClock:
    """A ``storage.types.Clock`` that ticks with the wall clock and can jump ahead."""

    def __init__(self, wall: Callable[[], datetime] = utcnow) -> None:
        self._wall = wall
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return self._wall() + self.offset

    def next_working_day(self, working: WorkingTime) -> datetime:
        """Jump to the same time of the library's next working day; the new "now"."""
        zone = ZoneInfo(working.timezone)
        step = timedelta(days=1)
        self.offset += step
        while not is_working_day(self().astimezone(zone).date(), working):
            self.offset += step
        return self()
