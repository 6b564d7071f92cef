"""What a due-date reminder was about, kept in the reminder's own outbox row.

A Renew button of a reminder names its loan by a short digest only, and the row's key (which
the button carries) finds the row again. So a press while the circulation system is down can
still tell staff which loans the reader meant: the titles and due dates the reminder showed.
Nothing is stored twice: the row already holds them in its text, goes when the outbox purges
sent rows, and ``/forget`` erases it with the reader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from handlers.loans.ils import Loan
from handlers.loans.reminders.refs import loan_ref
from storage.models import ReminderKind, RequestedLoan

REMINDED = "reminded"
"""The outbox payload's entry for the loans of a due-date reminder (the sender ignores it)."""

_TAIL = re.compile(r"[0-9a-f]{24}")
"""What :func:`handlers.loans.reminders.refs.marks_digest` makes: a key's last part."""


def reminder_key(reader_id: int, kind: ReminderKind, tail: str) -> str:
    """The outbox key of one reader's reminder of one kind."""
    return f"loan-reminder:{reader_id}:{kind}:{tail}"


def due_reminder_key(reader_id: int, tail: str | None) -> str | None:
    """The key a Renew button's ``tail`` points at, or None when it cannot be one (a forged
    payload, or a reminder sent before buttons carried it). Only this reader's rows match."""
    if tail is None or not _TAIL.fullmatch(tail):
        return None
    return reminder_key(reader_id, ReminderKind.DUE, tail)


def remembered(loans: Sequence[Loan]) -> list[dict[str, str]]:
    """The payload's entry for ``loans``: what the reminder showed of each."""
    return [
        {"ref": loan_ref(loan), "title": loan.title, "due": loan.due.isoformat()} for loan in loans
    ]


def reminded(payload: Mapping[str, Any], ref: str | None) -> list[RequestedLoan]:
    """The loans a reminder's payload names: the one ``ref`` names, or all of them (None).

    The backend's ids are not kept, so a loan's id is left empty; what cannot be read is
    left out rather than guessed."""
    entries = payload.get(REMINDED)
    if not isinstance(entries, list):
        return []
    loans: list[RequestedLoan] = []
    for entry in entries:
        if not isinstance(entry, dict) or (ref is not None and entry.get("ref") != ref):
            continue
        title, due = entry.get("title"), entry.get("due")
        if not isinstance(title, str) or not isinstance(due, str):
            continue
        try:
            when = datetime.fromisoformat(due)
        except ValueError:
            continue
        loans.append(RequestedLoan("", title, when))
    return loans
