"""Renewal requests in end-to-end tests: a reader asks staff to renew (the manual backend),
and the request's state that no fake can show is read from storage."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.app import Application
from storage.models import RenewalRequest, RenewalStatus
from tests.e2e.telegram_client import eventually

WITHIN = 45.0
"""Generous: the staff group is paced at 20 messages a minute; these prove behaviour only."""

REQUEST_NUMBER = re.compile(r"Заявка на продление №(\d+) передана")


def request_number(text: str) -> int:
    found = REQUEST_NUMBER.search(text)
    assert found is not None, f"no request number in {text!r}"
    return int(found.group(1))


async def card_message(app: Application, number: int) -> int:
    """The request card's message id, once the sender has recorded it."""
    found: list[int] = []

    async def posted() -> bool:
        request = await app.storage.renewals.get(number)
        if request is None or request.thread is None or request.thread.card_message_id is None:
            return False
        found.append(request.thread.card_message_id)
        return True

    await eventually(posted, timeout=WITHIN, what=f"renewal card {number} posted")
    return found[-1]


async def decided(app: Application, number: int, status: RenewalStatus) -> RenewalRequest:
    found: list[RenewalRequest] = []

    async def reached() -> bool:
        request = await app.storage.renewals.get(number)
        if request is None or request.status is not status:
            return False
        found.append(request)
        return True

    await eventually(reached, timeout=WITHIN, what=f"renewal {number} {status}")
    return found[-1]


def library_today(app: Application, days: int = 0) -> date:
    zone = ZoneInfo(app.settings.library_timezone)
    return (app.clock().astimezone(zone) + timedelta(days=days)).date()


def ru_day(day: date) -> str:
    """A date as the bot writes it to a Russian reader."""
    return format_date(day, "d MMMM y", locale="ru")
