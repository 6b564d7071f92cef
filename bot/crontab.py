"""Crontab lines as the settings write them, read the way cron reads them."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def crontab_trigger(line: str, timezone: str) -> CronTrigger:
    """A trigger for a standard crontab line (minute hour day month weekday).

    APScheduler 3 counts weekdays from Monday as 0, unlike cron, where 0 (and 7) is Sunday:
    its own ``from_crontab`` would run ``1-5`` from Tuesday to Saturday. The weekdays are
    given to it by name instead. Raises ``ValueError`` for a line that is not a crontab."""
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"{line!r}: a crontab line has 5 fields, e.g. 0 7 * * 1-5")
    minute, hour, day, month, weekday = fields
    named = re.sub(r"\d+", lambda m: _weekday(m.group()), weekday)
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=named,
        timezone=ZoneInfo(timezone),
    )


def _weekday(number: str) -> str:
    index = int(number)
    if index >= len(_WEEKDAYS):
        raise ValueError(f"weekday {number} does not exist: use 0-7 (0 and 7 are Sunday)")
    return _WEEKDAYS[index]
