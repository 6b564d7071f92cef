"""The texts and buttons of reminders, in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from handlers.core.i18n import Translator, days_count
from handlers.core.menu import MENU_MAIN
from handlers.core.payloads import pack
from handlers.core.replies import Button, Reply
from handlers.loans.buttons import ACTION as LOANS_ACTION
from handlers.loans.buttons import ASK, LOANS_MENU
from handlers.loans.ils import Loan
from handlers.loans.reminders.choices import SHOW
from handlers.loans.reminders.refs import loan_ref
from handlers.loans.wording import day_text, short_title

MAX_LISTED = 10
"""Loans named in one reminder; more are counted, and My loans lists them all."""
MAX_RENEW_BUTTONS = 3
"""Renew buttons in one reminder: with "Renew all", My loans and the settings a keyboard
stays within VK's six rows."""


@dataclass(frozen=True, slots=True)
class Renewed:
    """A renewal request staff decided as renewed until ``until`` (the manual backend)."""

    number: int
    until: date


def due_reminder(
    t: Translator, loans: Sequence[Loan], timezone: str, *, renewable: bool, sent: str
) -> Reply:
    """Loans due soon, soonest first, each with its Renew button when the circulation system
    renews (``renewable``), and "Renew all" when there are several. The buttons carry ``sent``,
    the tail of the reminder's outbox key, which finds what it showed if the system is down
    when they are pressed."""
    lines = [t("loan-reminder-due-title")]
    lines += _lines(t, loans, timezone)
    if renewable:
        lines.append(t("loan-reminder-due-renew"))
    rows: list[tuple[Button, ...]] = []
    if renewable:
        rows += [
            (
                Button(
                    t("loan-reminder-renew", title=_button_title(loan.title)),
                    pack(LOANS_ACTION, "due", loan_ref(loan), sent),
                ),
            )
            for loan in loans[:MAX_RENEW_BUTTONS]
        ]
        if len(loans) > 1:
            rows.append((Button(t("loans-renew-all"), pack(LOANS_ACTION, "dueall", sent)),))
    rows += _footer(t)
    return Reply("\n".join(lines), tuple(rows))


def overdue_notice(t: Translator, loans: Sequence[Loan], timezone: str) -> Reply:
    lines = [t("loan-reminder-overdue-title"), *_lines(t, loans, timezone)]
    lines.append(t("loan-reminder-overdue-hint"))
    return Reply("\n".join(lines), tuple(_footer(t)))


def renewed_until_reminder(
    t: Translator, renewed: Sequence[Renewed], today: date, timezone: str
) -> Reply:
    """The manual backend: the date staff renewed the loans until is near. No loans are
    known, so the button asks staff again instead of renewing."""
    lines = [
        t(
            "loan-reminder-until",
            number=item.number,
            until=day_text(t, item.until, timezone),
            left=_left(t, (item.until - today).days),
        )
        for item in renewed
    ]
    rows = [(Button(t("loan-reminder-ask-again"), ASK),), *_footer(t)]
    return Reply("\n\n".join(lines), tuple(rows))


def _lines(t: Translator, loans: Sequence[Loan], timezone: str) -> list[str]:
    lines = [
        t(
            "loan-reminder-line",
            number=number,
            title=short_title(loan.title),
            due=day_text(t, loan.due, timezone),
        )
        for number, loan in enumerate(loans[:MAX_LISTED], start=1)
    ]
    if len(loans) > MAX_LISTED:
        lines.append(t("loan-reminder-more", count=len(loans) - MAX_LISTED))
    return lines


def _left(t: Translator, days: int) -> str:
    if days <= 0:
        return t("loan-reminder-today")
    if days == 1:
        return t("loan-reminder-tomorrow")
    return t("loan-reminder-in-days", days=days_count(t, days))


def _button_title(title: str, limit: int = 28) -> str:
    title = " ".join(title.split()) or "—"
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _footer(t: Translator) -> list[tuple[Button, ...]]:
    return [
        (Button(t("loans-back"), LOANS_MENU), Button(t("loan-reminder-settings"), SHOW)),
        (Button(t("back-to-menu"), MENU_MAIN),),
    ]
