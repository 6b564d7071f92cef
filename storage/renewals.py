"""Renewal requests staff handle by hand, and their place in the staff chat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, insert, select, update

from storage.connectable import Connectable
from storage.models import (
    Address,
    RenewalCause,
    RenewalRequest,
    RenewalStatus,
    RequestedLoan,
    StaffMember,
    StaffThread,
)
from storage.schema import renewal_requests
from storage.staff_columns import member_columns, member_of, thread_columns, thread_of
from storage.types import Clock, utcnow

_c = renewal_requests.c


def _loan_values(loan: RequestedLoan) -> dict[str, Any]:
    return {
        "id": loan.loan_id,
        "title": loan.title,
        "due": loan.due.isoformat() if loan.due else None,
    }


def _loan(values: dict[str, Any]) -> RequestedLoan:
    due = values.get("due")
    return RequestedLoan(
        loan_id=str(values.get("id", "")),
        title=str(values.get("title", "")),
        due=datetime.fromisoformat(due) if isinstance(due, str) else None,
    )


def _request(row: Row[Any]) -> RenewalRequest:
    values = row._mapping
    return RenewalRequest(
        id=values["id"],
        reader_id=values["reader_id"],
        card_number=values["card_number"],
        cause=RenewalCause(values["cause"]),
        status=RenewalStatus(values["status"]),
        created_at=values["created_at"],
        items=values["items"],
        loans=tuple(_loan(item) for item in values["loans"] if isinstance(item, dict)),
        renewed_until=values["renewed_until"],
        refusal=values["refusal"],
        refusal_text=values["refusal_text"],
        decided_by=member_of(values, "decided"),
        decided_at=values["decided_at"],
        awaiting=values["awaiting"],
        thread=thread_of(values),
    )


class RenewalRepository:
    """Renewal requests stored in SQL; satisfies ``handlers.loans.ports.RenewalRequests``."""

    def __init__(self, engine: Connectable, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def create(
        self,
        reader_id: int,
        card_number: str,
        cause: RenewalCause,
        *,
        items: str | None = None,
        loans: Sequence[RequestedLoan] = (),
    ) -> RenewalRequest:
        now = self._clock()
        statement = (
            insert(renewal_requests)
            .values(
                reader_id=reader_id,
                card_number=card_number,
                cause=str(cause),
                status=str(RenewalStatus.OPEN),
                items=items,
                loans=[_loan_values(loan) for loan in loans],
                created_at=now,
                updated_at=now,
            )
            .returning(*renewal_requests.c)
        )
        async with self._engine.begin() as conn:
            return _request((await conn.execute(statement)).one())

    async def get(self, request_id: int) -> RenewalRequest | None:
        return await self._one(_c.id == request_id)

    async def for_reader(self, reader_id: int, limit: int = 20) -> list[RenewalRequest]:
        """The reader's requests, newest first."""
        query = (
            select(renewal_requests)
            .where(_c.reader_id == reader_id)
            .order_by(_c.id.desc())
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [_request(row) for row in await conn.execute(query)]

    async def open_requests(self, limit: int = 50) -> list[RenewalRequest]:
        """Requests nobody decided yet, oldest first."""
        query = (
            select(renewal_requests)
            .where(_c.status == str(RenewalStatus.OPEN))
            .order_by(_c.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [_request(row) for row in await conn.execute(query)]

    async def renew(
        self, request_id: int, until: date, by: StaffMember, at: datetime
    ) -> RenewalRequest | None:
        """Record that staff renewed the loans until ``until``. Only an open request can be
        decided: None when it was decided already (the first decision wins) or is gone."""
        return await self._decide(
            request_id, by, at, status=str(RenewalStatus.RENEWED), renewed_until=until
        )

    async def refuse(
        self, request_id: int, reason: str | None, text: str | None, by: StaffMember, at: datetime
    ) -> RenewalRequest | None:
        """Record a refusal with a reason code or staff's own words; None as in :meth:`renew`."""
        return await self._decide(
            request_id,
            by,
            at,
            status=str(RenewalStatus.REFUSED),
            refusal=reason,
            refusal_text=text,
        )

    async def await_input(self, request_id: int, awaiting: str | None) -> RenewalRequest | None:
        """Note what staff were asked to type for an open request (a date, a reason); None
        when the request is decided or gone."""
        statement = (
            update(renewal_requests)
            .where(_c.id == request_id, _c.status == str(RenewalStatus.OPEN))
            .values(awaiting=awaiting, updated_at=self._clock())
            .returning(*renewal_requests.c)
        )
        async with self._engine.begin() as conn:
            row = (await conn.execute(statement)).first()
        return _request(row) if row else None

    async def set_thread(self, request_id: int, thread: StaffThread) -> None:
        statement = (
            update(renewal_requests).where(_c.id == request_id).values(**thread_columns(thread))
        )
        async with self._engine.begin() as conn:
            await conn.execute(statement)

    async def by_card_message(self, chat: Address, message_id: int) -> RenewalRequest | None:
        return await self._one(
            _c.staff_platform == str(chat.platform),
            _c.staff_chat_id == chat.peer_id,
            _c.card_message_id == message_id,
        )

    async def by_topic(self, chat: Address, topic_id: int) -> RenewalRequest | None:
        return await self._one(
            _c.staff_platform == str(chat.platform),
            _c.staff_chat_id == chat.peer_id,
            _c.staff_topic_id == topic_id,
        )

    async def _decide(
        self, request_id: int, by: StaffMember, at: datetime, **outcome: object
    ) -> RenewalRequest | None:
        # The status condition makes the decision atomic: of two staff members pressing at
        # once, only one update finds the request still open.
        statement = (
            update(renewal_requests)
            .where(_c.id == request_id, _c.status == str(RenewalStatus.OPEN))
            .values(
                **outcome,
                **member_columns("decided", by),
                decided_at=at,
                awaiting=None,
                updated_at=self._clock(),
            )
            .returning(*renewal_requests.c)
        )
        async with self._engine.begin() as conn:
            row = (await conn.execute(statement)).first()
        return _request(row) if row else None

    async def _one(self, *conditions: Any) -> RenewalRequest | None:
        query = select(renewal_requests).where(*conditions).order_by(_c.id.desc()).limit(1)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _request(row) if row else None
