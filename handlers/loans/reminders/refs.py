"""Short digests that name a loan in a reminder's button payload and in the sent record,
without carrying the circulation system's ids or titles around."""

from __future__ import annotations

import hashlib
from datetime import date

from handlers.loans.ils import Loan

REF_LENGTH = 10


def loan_ref(loan: Loan) -> str:
    """Names a loan at its current due date: a Renew button stops matching once the loan is
    renewed (or returned), and a forged one matches nothing of the reader's."""
    text = f"{loan.loan_id}\0{loan.due.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()[:REF_LENGTH]


def loan_digest(loan_id: str) -> str:
    """The loan as the sent-reminders record keeps it."""
    return hashlib.sha256(loan_id.encode()).hexdigest()[:32]


def request_digest(request_id: int) -> str:
    """A renewal request (the manual backend) as the sent-reminders record keeps it."""
    return hashlib.sha256(f"renewal-request\0{request_id}".encode()).hexdigest()[:32]


def marks_digest(reader_id: int, kind: str, marks: list[tuple[str, date]]) -> str:
    """The outbox key's tail: reader, kind, and each loan with its due date."""
    digest = hashlib.sha256(f"{reader_id}\0{kind}".encode())
    for loan, due_on in sorted(marks):
        digest.update(f"\0{loan}\0{due_on.isoformat()}".encode())
    return digest.hexdigest()[:24]
