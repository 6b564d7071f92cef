"""The reader-facing conversation, written once for both platforms.

``ReaderService.handle`` takes one neutral event from a reader's private chat, works out what
to answer, sends the answer through the reader's platform and stores what needs storing.
Reference requests (tickets) are handled by :mod:`handlers.tickets`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import weakref
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from handlers import first_contact, forms
from handlers.config import ServiceConfig
from handlers.events import AttachmentKind, Event
from handlers.flows.renew import RENEW_FORM
from handlers.flows.staff_notice import notify_staff
from handlers.i18n import Catalog, characters
from handlers.menus import (
    help_text,
    privacy_details,
    refuse_button,
    show_main_menu,
    show_settings,
)
from handlers.messenger import (
    DeliveryError,
    Messenger,
    RecipientUnreachable,
    RetryAfter,
    TransientError,
)
from handlers.numbers import typed_number
from handlers.payloads import Payload, pack, parse
from handlers.ports import (
    Conversations,
    Dialogs,
    Outbox,
    Readers,
    StaffDesk,
    Tickets,
    Transactions,
)
from handlers.replies import Reply
from handlers.throttle import Throttle, Verdict
from handlers.tickets import buttons as ticket_buttons
from handlers.tickets import follow_up, my_requests, rating
from handlers.tickets.context import ADD_FLOW, COMMENT_FLOW, TicketContext
from handlers.tickets.kinds import ticket_forms
from handlers.tickets.submit import submit
from handlers.turn import Turn
from storage.models import Address, ConsentState, Direction, Platform

log = logging.getLogger(__name__)

START_WORDS = {"начать", "start", "старт", "меню", "menu"}

FORGET_YES = pack("forget", "yes")
DESTRUCTIVE = frozenset({FORGET_YES, first_contact.CONSENT_WITHDRAW_YES})
"""Confirmations that erase data: taken only from a real button press, never from a typed
number or text."""


class ReaderService:
    """The conversation with readers in private chats, on every platform.

    ``tickets`` stores reference requests (``storage.tickets``), and ``transactions`` the
    writes about them that must be stored together; ``desk`` is told of new
    requests, follow-ups, cancellations and ratings (the staff side's ``StaffDesk``);
    ``outbox`` carries deferred replies and renewal requests; ``clock`` gives aware "now"
    for deadlines, the daily limit and the working hours.
    """

    def __init__(
        self,
        *,
        readers: Readers,
        conversations: Conversations,
        dialogs: Dialogs,
        outbox: Outbox,
        tickets: Tickets,
        transactions: Transactions,
        desk: StaffDesk,
        catalog: Catalog,
        messengers: Mapping[Platform, Messenger],
        config: ServiceConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._forms = {RENEW_FORM.name: RENEW_FORM, **ticket_forms(config.tickets)}
        self._tickets = TicketContext(
            tickets=tickets,
            transactions=transactions,
            desk=desk,
            config=config,
            forms={name: form for name, form in self._forms.items() if name != RENEW_FORM.name},
            staff_t=catalog.translator(catalog.default),
            clock=clock,
        )
        self._readers = readers
        self._conversations = conversations
        self._dialogs = dialogs
        self._outbox = outbox
        self._catalog = catalog
        self._messengers = messengers
        self._config = config
        self._clock = clock
        policy = config.policy
        self._throttle = Throttle(policy.flood_burst, policy.flood_period_seconds)
        self._turn_locks: weakref.WeakValueDictionary[Address, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def handle(self, event: Event) -> None:
        """Answer one event. Never raises: a failure is logged and the reader told so."""
        messenger = self._messengers.get(event.platform)
        if messenger is None or not event.is_private:
            return
        verdict = self._throttle.check(str(event.address))
        if verdict is Verdict.DROP:
            await self._acknowledge(messenger, event)
            return
        lock = self._turn_locks.setdefault(event.address, asyncio.Lock())
        async with lock:
            await self._handle_turn(messenger, event, verdict)

    async def _handle_turn(self, messenger: Messenger, event: Event, verdict: Verdict) -> None:
        """One turn at a time per reader: album parts and quick double presses arrive as
        concurrent updates, and each turn reads and writes the stored dialog state."""
        try:
            turn = await self._begin(event, verdict)
            if verdict is Verdict.ALLOW:
                await self._route(turn)
        except Exception:
            log.exception("turn failed for %s", event.address)
            translator = self._catalog.translator(event.language_code)
            await self._acknowledge(messenger, event)
            await self._send(messenger, event, [Reply(translator("error-generic"))])
            return
        await self._acknowledge(messenger, event)
        await self._finish(messenger, turn)

    async def _begin(self, event: Event, verdict: Verdict) -> Turn:
        reader = await self._readers.get(event.address)
        first = reader is None
        if reader is None:
            reader = await self._readers.create(
                event.address, self._catalog.pick(event.language_code)
            )
        elif not reader.reachable:
            await self._readers.set_reachable(event.address, True)
        state = await self._dialogs.load(reader.id)
        turn = Turn(event, reader, state, self._catalog.translator(reader.language))
        if first:
            turn.state.data["first_contact"] = True
        if verdict is Verdict.WARN:
            turn.say(turn.t("flood-warning"))
        elif reader.has_consent and (event.text or event.attachments):
            await self._conversations.record(
                reader.id, Direction.IN, event.text, [a.metadata() for a in event.attachments]
            )
        return turn

    async def _route(self, turn: Turn) -> None:
        event = turn.event
        first = bool(turn.state.data.pop("first_contact", False))
        numbered = self._numbered_choice(turn)
        if numbered in DESTRUCTIVE:
            turn.say(turn.t("confirm-by-button"))
            return
        payload_text = event.payload or numbered
        if payload_text is not None or event.command:
            await ticket_buttons.leave_modes(self._tickets, turn, payload_text)
        if payload_text is not None:
            await self._on_button(turn, payload_text)
        elif first:
            first_contact.welcome(turn, self._config)
        elif event.command:
            await self._on_command(turn, event.command)
        elif event.text and len(event.text) > self._config.policy.max_text_length:
            turn.say(
                turn.t(
                    "text-too-long",
                    length=characters(turn.t, len(event.text)),
                    limit=characters(turn.t, self._config.policy.max_text_length),
                )
            )
        elif _only_unsupported(event):
            turn.say(turn.t("unsupported-media"))
        elif turn.state.flow in self._forms:
            await self._on_form_message(turn)
        elif (event.text or "").strip().lower() in START_WORDS:
            await ticket_buttons.leave_modes(self._tickets, turn, None)
            first_contact.welcome(turn, self._config)
        elif turn.state.flow == ADD_FLOW:
            await follow_up.on_add_message(self._tickets, turn)
        elif turn.state.flow == COMMENT_FLOW:
            await rating.on_comment_message(self._tickets, turn)
        elif not await follow_up.into_open_ticket(self._tickets, turn):
            self._on_free_message(turn)

    def _numbered_choice(self, turn: Turn) -> str | None:
        """A reader whose client shows no buttons answers with the button's number; where
        buttons are shown, a number is just text."""
        if turn.event.buttons_supported:
            return None
        offered = turn.state.offered
        number = typed_number(turn.event.text or "")
        if offered and number is not None and 1 <= number <= len(offered):
            return offered[number - 1]
        return None

    async def _on_command(self, turn: Turn, command: str) -> None:
        if command == "start":
            first_contact.welcome(turn, self._config)
        elif command == "help":
            turn.say(
                help_text(turn, self._config), (turn.button("back-to-menu", pack("menu", "main")),)
            )
        elif command in ("language", "lang"):
            self._offer_languages(turn)
        elif command == "forget":
            self._confirm_forget(turn)
        elif command == "menu":
            show_main_menu(turn)
        elif command == "cancel":
            if turn.state.flow:
                forms.finish(turn)
                turn.say(turn.t("form-cancelled"))
            show_main_menu(turn)
        elif command == "privacy":
            turn.say(privacy_details(turn, self._config))
        else:
            turn.say(turn.t("unknown-command"))

    async def _on_button(self, turn: Turn, raw: str) -> None:
        payload = parse(raw)
        if payload is None:
            refuse_button(turn)
            return
        if payload.action in ("ask", "tk") and not turn.reader.has_consent:
            first_contact.ask_consent(turn, self._config, then=raw)
            return
        handler = {
            "menu": self._on_menu,
            "consent": self._on_consent,
            "lang": self._on_language,
            "forget": self._on_forget,
            "privacy": self._on_privacy,
            "form": self._on_form_button,
            "start": self._on_start,
            "ask": self._on_ask,
            "tk": self._on_ticket,
        }.get(payload.action)
        if handler is None:
            refuse_button(turn)
            return
        await handler(turn, payload)

    async def _on_start(self, turn: Turn, payload: Payload) -> None:
        first_contact.welcome(turn, self._config)

    async def _on_ask(self, turn: Turn, payload: Payload) -> None:
        ticket_buttons.on_ask(self._tickets, turn, payload)

    async def _on_ticket(self, turn: Turn, payload: Payload) -> None:
        await ticket_buttons.on_ticket(self._tickets, turn, payload)

    async def _on_menu(self, turn: Turn, payload: Payload) -> None:
        item = payload.arg(0)
        if item in ("ask", "renew", "mine") and not turn.reader.has_consent:
            first_contact.ask_consent(turn, self._config, then=pack("menu", item))
        elif item == "ask":
            ticket_buttons.on_ask_menu(turn)
        elif item == "mine":
            await my_requests.show_mine(self._tickets, turn)
        elif item == "renew":
            forms.start(turn, RENEW_FORM)
        elif item == "new":
            turn.say(
                turn.t("new-arrivals-info"), (turn.button("back-to-menu", pack("menu", "main")),)
            )
        elif item == "settings":
            show_settings(turn)
        elif item == "main":
            if turn.state.flow:
                forms.finish(turn)
            show_main_menu(turn)
        else:
            refuse_button(turn)

    async def _on_consent(self, turn: Turn, payload: Payload) -> None:
        choice = payload.arg(0)
        if choice == "yes":
            then = await first_contact.give_consent(turn, self._readers)
            if then:
                await self._on_button(turn, then)
        elif choice == "no":
            await first_contact.decline_consent(turn, self._readers)
        elif choice == "withdraw" and turn.reader.has_consent:
            first_contact.confirm_withdrawal(turn)
        elif choice == "withdraw-yes" and turn.reader.has_consent and turn.event.is_button:
            erased = await first_contact.withdraw_consent(turn, self._readers)
            await self._tickets.desk.reader_forgotten(erased)
        else:
            refuse_button(turn)

    def _offer_languages(self, turn: Turn) -> None:
        rows = [
            (turn.button(f"language-name-{code}", pack("lang", code)),)
            for code in self._catalog.languages
        ]
        turn.say(turn.t("language-prompt"), *rows)

    async def _on_language(self, turn: Turn, payload: Payload) -> None:
        code = payload.arg(0)
        if code == "ask":
            self._offer_languages(turn)
        elif code in self._catalog.languages:
            await self._readers.set_language(turn.reader.id, code)
            turn.t = self._catalog.translator(code)
            show_main_menu(turn, "language-changed")
        else:
            turn.say(turn.t("stale-button"))
            self._offer_languages(turn)

    def _confirm_forget(self, turn: Turn) -> None:
        turn.say(
            turn.t("forget-confirm"),
            (
                turn.button("forget-yes", FORGET_YES),
                turn.button("forget-no", pack("forget", "no")),
            ),
        )

    async def _on_forget(self, turn: Turn, payload: Payload) -> None:
        choice = payload.arg(0)
        if choice == "ask":
            self._confirm_forget(turn)
        elif choice == "yes" and turn.event.is_button:
            erased = await self._readers.forget(turn.reader.id)
            turn.forgotten = True
            turn.say(turn.t("forget-done"))
            await self._tickets.desk.reader_forgotten(erased)
        elif choice == "yes":
            turn.say(turn.t("confirm-by-button"))
        else:
            show_main_menu(turn, "forget-kept")

    async def _on_privacy(self, turn: Turn, payload: Payload) -> None:
        state = turn.t(f"consent-state-{turn.reader.consent}")
        turn.say(
            privacy_details(turn, self._config)
            + "\n\n"
            + turn.t("privacy-your-state", state=state),
            (turn.button("back-to-menu", pack("menu", "settings")),),
        )

    async def _on_form_button(self, turn: Turn, payload: Payload) -> None:
        form = self._forms.get(payload.arg(0) or "")
        if form is None or turn.state.flow != form.name:
            refuse_button(turn)
            return
        outcome = forms.on_button(turn, form, payload)
        await self._after_form(turn, form, outcome)

    async def _on_form_message(self, turn: Turn) -> None:
        form = self._forms[turn.state.flow or ""]
        outcome = forms.on_message(turn, form, self._config.policy.max_attachments)
        await self._after_form(turn, form, outcome)

    async def _after_form(self, turn: Turn, form: forms.Form, outcome: str) -> None:
        if outcome == forms.FormOutcome.CANCELLED:
            turn.state.data.pop("draft", None)
            show_main_menu(turn)
        elif outcome == forms.FormOutcome.SUBMIT and form.name in self._tickets.forms:
            await submit(self._tickets, turn, form)
        elif outcome == forms.FormOutcome.SUBMIT:
            await self._submit_renewal(turn, form)

    async def _submit_renewal(self, turn: Turn, form: forms.Form) -> None:
        """Renewal by hand (an ILS with no API) is not a reference request: it goes to the
        staff chat as a plain notice."""
        queued = await notify_staff(
            self._outbox,
            self._config,
            self._catalog.translator(self._catalog.default),
            turn.reader,
            "kind-renew",
            forms.summary(turn, form),
            forms.files(turn),
            self._clock(),
        )
        forms.finish(turn)
        library = self._config.library
        text = turn.t(
            "submitted-renew" if queued else "submitted-no-staff", hours=library.working_hours
        )
        if library.contacts:
            # Staff cannot answer a renewal here yet, so the reader needs a way to reach them.
            text += "\n\n" + turn.t("help-contacts", contacts=library.contacts)
        turn.say(text, (turn.button("back-to-menu", pack("menu", "main")),))

    def _on_free_message(self, turn: Turn) -> None:
        event = turn.event
        if turn.reader.has_consent and event.text:
            turn.state.data["draft"] = event.text.strip()
        turn.say(
            turn.t("free-text-offer"),
            (turn.button("menu-ask", pack("menu", "ask")),),
            (turn.button("back-to-menu", pack("menu", "main")),),
        )

    async def _acknowledge(self, messenger: Messenger, event: Event) -> None:
        if event.callback_id is None:
            return
        try:
            await messenger.acknowledge(event)
        except DeliveryError as error:
            log.info("could not acknowledge a button press: %s", type(error).__name__)

    async def _send(self, messenger: Messenger, event: Event, replies: list[Reply]) -> None:
        for index, reply in enumerate(replies):
            try:
                await messenger.send(event.address, reply)
            except RecipientUnreachable:
                await self._readers.set_reachable(event.address, False)
                return
            except (RetryAfter, TransientError) as error:
                log.info("reply to %s deferred: %s", event.address, type(error).__name__)
                await self._defer(event.address, replies[index:])
                return
            except DeliveryError as error:
                log.warning("reply to %s failed: %s", event.address, type(error).__name__)
                return

    async def _defer(self, address: Address, replies: list[Reply]) -> None:
        """A platform that is flooded or down gets the rest of the answer later, in order,
        through the durable outbox, rather than the reader never getting it."""
        turn_key = uuid.uuid4().hex
        for number, reply in enumerate(replies):
            await self._outbox.enqueue(
                f"reply:{address}:{turn_key}:{number}", address, reply.to_dict()
            )

    async def _finish(self, messenger: Messenger, turn: Turn) -> None:
        await self._send(messenger, turn.event, turn.replies)
        if turn.forgotten:
            return
        offered = [b.payload for b in turn.replies[-1].flat_buttons()] if turn.replies else []
        turn.state.offered = offered
        await self._dialogs.save(turn.reader.id, turn.state)
        if turn.reader.has_consent:
            for reply in turn.replies:
                await self._conversations.record(turn.reader.id, Direction.OUT, reply.text)


def _only_unsupported(event: Event) -> bool:
    return (
        bool(event.attachments)
        and not event.text
        and all(a.kind is AttachmentKind.UNSUPPORTED for a in event.attachments)
    )


__all__ = ["ConsentState", "ReaderService"]
