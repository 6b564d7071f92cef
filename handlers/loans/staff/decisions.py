"""Deciding a renewal request from the staff chat: the card's buttons, and the date or the
reason staff type in the request's thread."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from handlers.core.events import Event
from handlers.core.numbers import typed_number
from handlers.core.payloads import Payload
from handlers.core.staff_chat import event_key, thread_owner
from handlers.loans.ils import Refusal
from handlers.loans.ports import LoansTransactions, RenewalRequests
from handlers.loans.staff.cards import REFUSALS
from handlers.loans.staff.desk import RenewalStaffDesk
from handlers.loans.wording import local_day
from storage.models import RenewalRequest, RenewalStatus, StaffMember

QUICK_DAYS = {"d14": 14, "d30": 30}
LONGEST_RENEWAL = timedelta(days=366)
REASON_LIMIT = 500
_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_date(text: str) -> date | None:
    """``15.01.2027`` (or ``5.1.2027``) as a date; None for anything else."""
    match = _DATE.match(text.strip())
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


class Decisions:
    """The first decision on a request wins; whoever comes second is told who decided."""

    def __init__(
        self,
        *,
        renewals: RenewalRequests,
        transactions: LoansTransactions,
        desk: RenewalStaffDesk,
        clock: Callable[[], datetime],
    ) -> None:
        self._renewals = renewals
        self._transactions = transactions
        self._desk = desk
        self._clock = clock
        self._t = desk.t

    @property
    def _today(self) -> date:
        return local_day(self._clock(), self._desk.timezone)

    async def press(self, event: Event, staff: StaffMember, payload: Payload) -> str:
        what = payload.arg(0) or ""
        number = typed_number(payload.arg(1) or "")
        request = await self._renewals.get(number) if number is not None else None
        if request is None:
            return self._t("desk-stale-button")
        if request.status is not RenewalStatus.OPEN:
            return self._decided_notice(request)
        if what in QUICK_DAYS:
            return await self._renew(request, self._today + timedelta(days=QUICK_DAYS[what]), staff)
        if what == "date":
            return await self._await(request, "date", "renewal-notice-type-date")
        if what == "other":
            return await self._await(request, "reason", "renewal-notice-type-reason")
        if what == "refuse":
            await self._desk.show(request, refusing=True)
            return self._t("renewal-notice-pick-reason")
        if what == "back":
            waiting = await self._renewals.await_input(request.id, None)
            if waiting is not None:
                await self._desk.show(waiting)
            return self._t("renewal-notice-back")
        if what == "why" and (reason := _refusal(payload.arg(2))) is not None:
            return await self._refuse(request, str(reason), None, staff)
        return self._t("desk-stale-button")

    async def on_message(self, event: Event, staff: StaffMember) -> bool:
        """A staff message in a request's topic or in reply to its card: the date or reason
        asked for. Other messages are not this feature's."""
        request = await thread_owner(event, self._renewals.by_topic, self._renewals.by_card_message)
        if request is None:
            return False
        key = f"renewal:{request.id}:reply:{event_key(event)}"
        text = (event.text or "").strip()
        # Colleagues may talk in a request's thread; only what looks meant for the bot (a
        # date, or the answer it asked for) gets an answer.
        looks_like_date = parse_date(text) is not None
        if request.status is not RenewalStatus.OPEN:
            if looks_like_date:
                await self._desk.say(request, key, self._decided_notice(request))
        elif request.awaiting == "date":
            await self._typed_date(request, key, text, staff)
        elif request.awaiting == "reason" and text:
            if len(text) > REASON_LIMIT:
                await self._desk.say(
                    request, key, self._t("renewal-reason-too-long", limit=REASON_LIMIT)
                )
            else:
                notice = await self._refuse(request, None, text, staff)
                await self._desk.say(request, key, notice)
        elif looks_like_date:
            await self._desk.say(request, key, self._t("renewal-press-first", number=request.id))
        return True

    async def _typed_date(
        self, request: RenewalRequest, key: str, text: str, staff: StaffMember
    ) -> None:
        until = parse_date(text)
        today = self._today
        if until is None:
            notice = self._t("renewal-date-invalid")
        elif until <= today:
            notice = self._t("renewal-date-past")
        elif until - today > LONGEST_RENEWAL:
            notice = self._t("renewal-date-too-far")
        else:
            notice = await self._renew(request, until, staff)
        await self._desk.say(request, key, notice)

    async def _renew(self, request: RenewalRequest, until: date, staff: StaffMember) -> str:
        now = self._clock()
        return await self._decide(
            request, lambda renewals: renewals.renew(request.id, until, staff, now)
        )

    async def _refuse(
        self, request: RenewalRequest, reason: str | None, text: str | None, staff: StaffMember
    ) -> str:
        now = self._clock()
        return await self._decide(
            request, lambda renewals: renewals.refuse(request.id, reason, text, staff, now)
        )

    async def _decide(
        self,
        request: RenewalRequest,
        decide: Callable[[RenewalRequests], Awaitable[RenewalRequest | None]],
    ) -> str:
        # The decision, the card's edit and the reader's answer are stored together: a crash
        # never leaves a decided request whose reader is not told.
        async with self._transactions.transaction() as work:
            decided = await decide(work.renewals)
            if decided is not None:
                desk = self._desk.on(work.outbox)
                await desk.show(decided)
                await desk.tell_reader(decided)
        if decided is None:
            latest = await self._renewals.get(request.id)
            return self._decided_notice(latest) if latest else self._t("desk-stale-button")
        return self._t("renewal-notice-done", number=decided.id)

    async def _await(self, request: RenewalRequest, what: str, notice: str) -> str:
        waiting = await self._renewals.await_input(request.id, what)
        if waiting is None:
            latest = await self._renewals.get(request.id)
            return self._decided_notice(latest) if latest else self._t("desk-stale-button")
        await self._desk.show(waiting)
        return self._t(notice, number=request.id)

    def _decided_notice(self, request: RenewalRequest) -> str:
        who = request.decided_by.name if request.decided_by else "—"
        return self._t("renewal-notice-decided", number=request.id, name=who)


def _refusal(raw: str | None) -> Refusal | None:
    return next((reason for reason in REFUSALS if str(reason) == raw), None)
