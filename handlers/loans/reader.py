"""The reader side of loans: the linked card, My loans, renewing, and asking staff."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from handlers.core import forms
from handlers.core.config import ServiceConfig
from handlers.core.features import Command, MenuEntry, ReaderFeature
from handlers.core.menu import MENU_MAIN, refuse_button
from handlers.core.messenger import Messenger
from handlers.core.payloads import Payload, pack
from handlers.core.replies import Button
from handlers.core.turn import Turn
from handlers.loans.buttons import (
    ACTION,
    ASK,
    LINK,
    LOANS_ITEM,
    LOANS_MENU,
    UNLINK,
    UNLINK_YES,
)
from handlers.loans.form import RENEW_FORM
from handlers.loans.ils import Ils, IlsUnavailable, Loan, Renewal
from handlers.loans.linking import FLOW_CARD, FLOW_PIN, CardLinking
from handlers.loans.patience import patiently
from handlers.loans.ports import LibraryCards, RenewalDesk, RenewalRequests
from handlers.loans.reminders.choices import SHOW as REMINDER_SETTINGS
from handlers.loans.reminders.ports import SentReminders
from handlers.loans.reminders.refs import loan_ref
from handlers.loans.reminders.sent import due_reminder_key, reminded
from handlers.loans.wording import loan_line, local_day, renewal_text
from storage.models import (
    Platform,
    RenewalCause,
    RenewalRequest,
    RenewalStatus,
    RequestedLoan,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 4
"""Loans per page: with their buttons, "Renew all", the page arrows, "Unlink" and the menu
button, a page stays within VK's inline keyboard (6 rows, 10 buttons)."""
SNAPSHOT = "loans"
"""The dialog-state key of the loans last listed: what the buttons' numbers point at."""


class LoansReader:
    """My loans for readers. With a circulation system (``ils``) the reader links a card,
    sees the loans and renews them with buttons; with none (the manual backend), or while
    it is down, the reader asks and staff renew by hand (``desk``)."""

    def __init__(
        self,
        *,
        cards: LibraryCards,
        renewals: RenewalRequests,
        desk: RenewalDesk,
        ils: Ils | None,
        sent_reminders: SentReminders,
        messengers: Mapping[Platform, Messenger],
        config: ServiceConfig,
        clock: Callable[[], datetime],
    ) -> None:
        self._cards = cards
        self._sent_reminders = sent_reminders
        self._renewals = renewals
        self._desk = desk
        self._ils = ils
        self._messengers = messengers
        self._config = config
        self._clock = clock
        self._linking = CardLinking(cards=cards, ils=ils, messengers=messengers, config=config)

    def feature(self) -> ReaderFeature:
        return ReaderFeature(
            name="loans",
            commands=(Command("loans", self._command, description="command-loans"),),
            actions={ACTION: self._press},
            consent_actions=frozenset({ACTION}),
            button_only=frozenset({UNLINK_YES}),
            menu=(MenuEntry(LOANS_ITEM, "menu-loans", row=30, run=self._show, needs_consent=True),),
            forms={RENEW_FORM.name: RENEW_FORM},
            submit=self._submit,
            flows={FLOW_CARD: self._linking.on_card, FLOW_PIN: self._linking.on_pin},
            secret_flows=frozenset({FLOW_PIN}),
            leave=self._leave,
        )

    @property
    def _tz(self) -> str:
        return self._config.library.timezone

    async def _command(self, turn: Turn) -> None:
        if not turn.reader.has_consent:
            # The menu entry asks for consent first; a command cannot, so it points there.
            turn.say(turn.t("loans-consent-first"), (turn.button("menu-loans", LOANS_MENU),))
            return
        await self._show(turn)

    async def _leave(self, turn: Turn, payload: str | None) -> None:
        if turn.state.flow in (FLOW_CARD, FLOW_PIN):
            forms.finish(turn)

    # --- My loans -----------------------------------------------------------------------

    async def _show(self, turn: Turn, page: int = 0) -> None:
        card = await self._cards.get(turn.reader.id)
        if self._ils is None:
            self._show_manual(turn, card.number if card else None)
            return
        if card is None:
            turn.say(
                turn.t("loans-no-card"),
                (turn.button("loans-link", LINK),),
                (turn.button("back-to-menu", MENU_MAIN),),
            )
            return
        try:
            loans = await patiently(self._ils.loans(card.number))
        except IlsUnavailable as error:
            log.warning("loans of a card not listed: %s", error)
            turn.say(
                turn.t("loans-ils-down"),
                (turn.button("loans-ask", ASK),),
                (turn.button("back-to-menu", MENU_MAIN),),
            )
            return
        await self._cards.touch(turn.reader.id)
        self._list(turn, card.number, sorted(loans, key=lambda loan: loan.due), page)

    def _show_manual(self, turn: Turn, card: str | None) -> None:
        text = turn.t("loans-manual")
        if card is not None:
            text += "\n\n" + turn.t("loans-card-is", card=card)
        rows = [(turn.button("loans-ask", ASK),)]
        rows.append(
            (turn.button("loans-unlink", UNLINK),) if card else (turn.button("loans-link", LINK),)
        )
        if card is not None:
            rows.append((turn.button("loan-reminder-settings", REMINDER_SETTINGS),))
        rows.append((turn.button("back-to-menu", MENU_MAIN),))
        turn.say(text, *rows)

    def _list(self, turn: Turn, card: str, loans: Sequence[Loan], page: int) -> None:
        if not loans:
            turn.state.data.pop(SNAPSHOT, None)
            turn.say(
                turn.t("loans-none", card=card),
                (turn.button("loans-unlink", UNLINK),),
                (turn.button("loan-reminder-settings", REMINDER_SETTINGS),),
                (turn.button("back-to-menu", MENU_MAIN),),
            )
            return
        token = _token(loans)
        turn.state.data[SNAPSHOT] = {"token": token, "loans": [_stored(loan) for loan in loans]}
        pages = (len(loans) + PAGE_SIZE - 1) // PAGE_SIZE
        page = min(max(page, 0), pages - 1)
        first = page * PAGE_SIZE
        shown = loans[first : first + PAGE_SIZE]
        today = local_day(self._clock(), self._tz)
        lines = [turn.t("loans-title", card=card, count=len(loans))]
        if pages > 1:
            lines.append(turn.t("loans-page", page=page + 1, pages=pages))
        lines += [
            loan_line(turn.t, first + i + 1, loan, today, self._tz) for i, loan in enumerate(shown)
        ]
        rows: list[tuple[Button, ...]] = [
            (
                Button(
                    turn.t("loans-renew-one", number=first + i + 1),
                    pack(ACTION, "one", token, str(first + i)),
                ),
            )
            for i in range(len(shown))
        ]
        # The card's own actions share the Renew all line: VK's inline keyboard holds six rows.
        rows.append(
            (
                turn.button("loans-renew-all", pack(ACTION, "all", token)),
                turn.button("loan-reminder-settings", REMINDER_SETTINGS),
                turn.button("loans-unlink", UNLINK),
            )
        )
        last: list[Button] = []
        if page > 0:
            last.append(turn.button("loans-previous", pack(ACTION, "page", str(page - 1))))
        if page + 1 < pages:
            last.append(turn.button("loans-next", pack(ACTION, "page", str(page + 1))))
        last.append(turn.button("back-to-menu", MENU_MAIN))
        rows.append(tuple(last))
        turn.say("\n".join(lines), *rows)

    # --- Buttons ------------------------------------------------------------------------

    async def _press(self, turn: Turn, payload: Payload) -> None:
        what = payload.arg(0)
        if what == "link":
            self._linking.ask_card(turn)
        elif what == "unlink":
            turn.say(
                turn.t("loans-unlink-confirm"),
                (turn.button("loans-unlink-yes", UNLINK_YES),),
                (turn.button("loans-unlink-no", LOANS_MENU),),
            )
        elif what == "unlinkyes" and turn.event.is_button:
            await self._cards.unlink(turn.reader.id)
            turn.state.data.pop(SNAPSHOT, None)
            turn.say(turn.t("loans-unlinked"), (turn.button("back-to-menu", MENU_MAIN),))
        elif what == "ask":
            card = await self._cards.get(turn.reader.id)
            forms.start(turn, RENEW_FORM, {"card": card.number} if card else None)
        elif what == "page" and (page := _index(payload.arg(1))) is not None:
            await self._show(turn, page)
        elif what == "one" and (index := _index(payload.arg(2))) is not None:
            await self._renew_one(turn, payload.arg(1) or "", index)
        elif what == "all":
            await self._renew_all(turn, payload.arg(1) or "")
        elif what == "due" and payload.arg(1):
            await self._renew_reminded(turn, payload.arg(1), payload.arg(2))
        elif what == "dueall":
            await self._renew_reminded(turn, None, payload.arg(1))
        else:
            refuse_button(turn)

    def _snapshot(self, turn: Turn, token: str) -> list[RequestedLoan] | None:
        """The loans listed under ``token``, or None when the list shown is not the last one."""
        stored = turn.state.data.get(SNAPSHOT)
        if not isinstance(stored, dict) or stored.get("token") != token:
            return None
        items = stored.get("loans")
        return [_requested(item) for item in items] if isinstance(items, list) else None

    async def _stale(self, turn: Turn) -> None:
        turn.say(turn.t("loans-stale"))
        await self._show(turn)

    async def _renew_one(self, turn: Turn, token: str, index: int) -> None:
        listed = self._snapshot(turn, token)
        card = await self._cards.get(turn.reader.id)
        if listed is None or card is None or self._ils is None or index >= len(listed):
            await self._stale(turn)
            return
        loan = listed[index]
        try:
            result = await patiently(self._ils.renew(card.number, loan.loan_id))
        except IlsUnavailable as error:
            log.warning("renewal not made: %s", error)
            await self._fall_back(turn, card.number, [loan])
            return
        self._tell(turn, [result])

    async def _renew_all(self, turn: Turn, token: str) -> None:
        listed = self._snapshot(turn, token)
        card = await self._cards.get(turn.reader.id)
        if listed is None or card is None or self._ils is None:
            await self._stale(turn)
            return
        try:
            results = await patiently(self._ils.renew_all(card.number))
        except IlsUnavailable as error:
            log.warning("renewal of all loans not made: %s", error)
            answered = {result.loan_id for result in error.done}
            rest = [loan for loan in listed if loan.loan_id not in answered]
            if not rest:
                self._tell(turn, error.done, listed)
                return
            if error.done:
                # What the system did before it stopped answering is news the reader needs,
                # and staff must not renew those a second time.
                turn.say(self._results_text(turn, listed, error.done))
            await self._fall_back(turn, card.number, rest)
            return
        self._tell(turn, results, listed)

    async def _renew_reminded(self, turn: Turn, ref: str | None, sent: str | None) -> None:
        """A Renew button of a due-date reminder (``ref`` names one loan; None: "Renew all";
        ``sent`` names the reminder). The reminder is not the list last shown, so the loans
        are asked for afresh and listed as My loans lists them; then the press is what the
        same button there does. A loan renewed or returned since, or not the reader's,
        matches nothing: stale. With the system down, staff get what the reminder showed."""
        card = await self._cards.get(turn.reader.id)
        if card is None or self._ils is None:
            await self._stale(turn)
            return
        try:
            loans = await patiently(self._ils.loans(card.number))
        except IlsUnavailable as error:
            log.warning("loans of a card not listed: %s", error)
            await self._fall_back(turn, card.number, await self._reminded(turn, ref, sent))
            return
        listed = sorted(loans, key=lambda loan: loan.due)
        token = _token(listed)
        turn.state.data[SNAPSHOT] = {"token": token, "loans": [_stored(loan) for loan in listed]}
        if ref is None:
            await self._renew_all(turn, token)
            return
        index = next((i for i, loan in enumerate(listed) if loan_ref(loan) == ref), None)
        if index is None:
            await self._stale(turn)
            return
        await self._renew_one(turn, token, index)

    async def _reminded(self, turn: Turn, ref: str | None, sent: str | None) -> list[RequestedLoan]:
        """The loans the pressed reminder showed (the one ``ref`` names, or all); none when
        its row is gone or the payload names no reminder: the card alone then tells staff."""
        key = due_reminder_key(turn.reader.id, sent)
        row = await self._sent_reminders.get(key) if key else None
        return reminded(row.payload, ref) if row is not None else []

    def _tell(
        self, turn: Turn, results: Sequence[Renewal], listed: Sequence[RequestedLoan] = ()
    ) -> None:
        turn.state.data.pop(SNAPSHOT, None)
        if not results:
            text = turn.t("loans-nothing-renewed")
        else:
            text = self._results_text(turn, listed, results)
        turn.say(
            text,
            (turn.button("loans-back", LOANS_MENU),),
            (turn.button("back-to-menu", MENU_MAIN),),
        )

    def _results_text(
        self, turn: Turn, listed: Sequence[RequestedLoan], results: Sequence[Renewal]
    ) -> str:
        """The results in the order the reader saw the loans, soonest due first."""
        order = {loan.loan_id: index for index, loan in enumerate(listed)}
        titles = {loan.loan_id: loan.title for loan in listed if loan.title}
        ordered = sorted(results, key=lambda result: order.get(result.loan_id, len(order)))
        return "\n\n".join(
            renewal_text(turn.t, _titled(result, titles), self._tz) for result in ordered
        )

    async def _fall_back(self, turn: Turn, card: str, loans: Sequence[RequestedLoan]) -> None:
        """The circulation system did not answer: staff renew by hand instead."""
        turn.state.data.pop(SNAPSHOT, None)
        if self._no_staff(turn, "loans-ils-down-no-staff"):
            return
        waiting = await self._waiting(turn.reader.id, card, loans)
        if waiting is not None:
            # The same press again (a reminder's button stays pressable): staff have it.
            turn.say(
                turn.t("loans-fallback", number=waiting.id, hours=self._working_hours),
                (turn.button("back-to-menu", MENU_MAIN),),
            )
            return
        request = await self._renewals.create(
            turn.reader.id, card, RenewalCause.FALLBACK, loans=loans
        )
        await self._announce(turn, request, "loans-fallback")

    async def _waiting(
        self, reader_id: int, card: str, loans: Sequence[RequestedLoan]
    ) -> RenewalRequest | None:
        """An open fallback request for exactly these loans of this card, if there is one."""
        wanted = [_same(loan) for loan in loans]
        for request in await self._renewals.for_reader(reader_id):
            if (
                request.status is RenewalStatus.OPEN
                and request.cause is RenewalCause.FALLBACK
                and request.card_number == card
                and not request.items
                and [_same(loan) for loan in request.loans] == wanted
            ):
                return request
        return None

    @property
    def _working_hours(self) -> str:
        return self._config.library.working_hours

    def _no_staff(self, turn: Turn, text_id: str) -> bool:
        """Without a staff chat nobody would see a request: the reader is sent to the
        library instead, and nothing is stored."""
        if self._config.staff_chat is not None:
            return False
        text = turn.t(text_id)
        if self._config.library.contacts:
            text += "\n" + turn.t("help-contacts", contacts=self._config.library.contacts)
        turn.say(text, (turn.button("back-to-menu", MENU_MAIN),))
        return True

    async def _announce(self, turn: Turn, request: RenewalRequest, text_id: str) -> None:
        await self._desk.request_opened(request)
        text = turn.t(text_id, number=request.id, hours=self._working_hours)
        turn.say(text, (turn.button("back-to-menu", MENU_MAIN),))

    # --- Asking staff (the manual backend, or the fallback) -----------------------------

    async def _submit(self, turn: Turn, form: forms.Form) -> None:
        given = forms.answers(turn)
        cause = RenewalCause.MANUAL if self._ils is None else RenewalCause.FALLBACK
        card = given.get("card", "").strip()
        forms.finish(turn)
        if self._no_staff(turn, "loans-no-staff-chat"):
            return
        request = await self._renewals.create(
            turn.reader.id, card, cause, items=given.get("items") or None
        )
        await self._announce(turn, request, "loans-asked")


def _same(loan: RequestedLoan) -> tuple[str, str, datetime | None]:
    return loan.loan_id, loan.title, loan.due


def _titled(result: Renewal, titles: Mapping[str, str]) -> Renewal:
    """A result the backend could only name by its id gets the title the reader was shown."""
    if result.title == result.loan_id and result.loan_id in titles:
        return replace(result, title=titles[result.loan_id])
    return result


def _token(loans: Sequence[Loan]) -> str:
    """Names one list of loans, so that a button from an older list is told apart."""
    digest = hashlib.sha256()
    for loan in loans:
        digest.update(f"{loan.loan_id}\0{loan.due.isoformat()}\0".encode())
    return digest.hexdigest()[:10]


def _stored(loan: Loan) -> dict[str, str]:
    return {"id": loan.loan_id, "title": loan.title, "due": loan.due.isoformat()}


def _requested(item: object) -> RequestedLoan:
    values = item if isinstance(item, dict) else {}
    due = values.get("due")
    try:
        when = datetime.fromisoformat(due) if isinstance(due, str) else None
    except ValueError:
        when = None
    return RequestedLoan(str(values.get("id", "")), str(values.get("title", "")), when)


def _index(raw: str | None) -> int | None:
    if raw is None or not raw.isdigit() or len(raw) > 4:
        return None
    return int(raw)
