"""Loans in the reader's words: due dates in the library's time zone and language, and every
renewal result as a new date or a reason a reader understands."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from handlers.core.i18n import Translator
from handlers.loans.ils import Loan, PatronStatus, Refusal, Renewal

TITLE_LIMIT = 120
"""Titles are cut to this in lists, so that a page of loans stays one message."""


def local_day(moment: datetime | date, timezone: str) -> date:
    if isinstance(moment, datetime):
        return moment.astimezone(ZoneInfo(timezone)).date()
    return moment


DAY_PATTERN = "d MMMM y"
"""«15 января 2027» / «15 January 2027»: no trailing «г.» to clash with a sentence's end."""


def day_text(t: Translator, moment: datetime | date, timezone: str) -> str:
    return format_date(local_day(moment, timezone), format=DAY_PATTERN, locale=t.language)


def moment_text(moment: datetime, timezone: str) -> str:
    """«23.11.2026 12:05» in the library's time zone: when staff did something."""
    return format_datetime(moment, "dd.MM.yyyy HH:mm", tzinfo=ZoneInfo(timezone))


def short_title(title: str) -> str:
    title = " ".join(title.split()) or "—"
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"


def reason_text(t: Translator, refusal: Refusal | str | None) -> str:
    known = {str(reason) for reason in Refusal}
    code = str(refusal) if refusal is not None and str(refusal) in known else Refusal.OTHER
    return t(f"loans-why-{code}")


def loan_line(t: Translator, number: int, loan: Loan, today: date, timezone: str) -> str:
    """The loan in a list; an overdue one marked, and one the system already said it will not
    renew with the reason, so the reader knows before pressing."""
    due = day_text(t, loan.due, timezone)
    if local_day(loan.due, timezone) < today:
        return t("loans-line-overdue", number=number, title=short_title(loan.title), due=due)
    line = t("loans-line", number=number, title=short_title(loan.title), due=due)
    if loan.refusal is not None:
        line += "\n" + t("loans-line-refusal", reason=reason_text(t, loan.refusal))
    return line


def renewal_text(t: Translator, result: Renewal, timezone: str) -> str:
    title = short_title(result.title)
    if result.renewed and result.due is not None:
        return t("loans-renewed", title=title, due=day_text(t, result.due, timezone))
    if result.renewed:
        # Renewed, though the backend's answer lacked the new date: never "not renewed".
        return t("loans-renewed-undated", title=title)
    text = t("loans-not-renewed", title=title, reason=reason_text(t, result.refusal))
    if result.message:
        text += "\n" + t("loans-library-says", message=" ".join(result.message.split()))
    return text


def patron_text(t: Translator, status: PatronStatus) -> str:
    return t(f"loans-card-{status}")
