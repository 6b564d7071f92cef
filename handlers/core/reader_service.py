"""The reader-facing conversation, written once for both platforms.

``ReaderService.handle`` takes one neutral event from a reader's private chat, works out
which registered feature answers it, sends the answer through the reader's platform and
stores what needs storing. It names no feature: each declares what it answers
(``handlers.core.features``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import weakref
from collections.abc import Mapping, Sequence

from handlers.core import forms
from handlers.core.config import ServiceConfig
from handlers.core.events import AttachmentKind, Event
from handlers.core.features import Command, ReaderFeature
from handlers.core.i18n import Catalog, characters
from handlers.core.menu import MAIN_ITEM, MENU_ACTION, menu_payload, refuse_button, show_main_menu
from handlers.core.messenger import (
    DeliveryError,
    Messenger,
    RecipientUnreachable,
    RetryAfter,
    TransientError,
)
from handlers.core.numbers import typed_number
from handlers.core.payloads import Payload, parse
from handlers.core.ports import Outbox, Readers, Turns
from handlers.core.registry import ReaderRegistry
from handlers.core.replies import Reply
from handlers.core.throttle import Throttle, Verdict
from handlers.core.turn import Turn
from storage.models import Address, Direction, LoggedMessage, Platform, TurnRecord

log = logging.getLogger(__name__)


class ReaderService:
    """The conversation with readers in private chats, on every platform.

    ``features`` answer the reader (see ``handlers.core.features``); the service keeps the
    turn around them: the reader and their dialog state, flood control, one turn at a time
    per reader, the main menu, the forms engine, sending the answer (deferring it through
    ``outbox`` when the platform is flooded or down) and recording the conversation.
    """

    def __init__(
        self,
        *,
        readers: Readers,
        turns: Turns,
        outbox: Outbox,
        catalog: Catalog,
        messengers: Mapping[Platform, Messenger],
        config: ServiceConfig,
        features: Sequence[ReaderFeature],
    ) -> None:
        self.features = tuple(features)
        self._registry = ReaderRegistry(features, reserved_actions=(MENU_ACTION, forms.FORM_ACTION))
        if MAIN_ITEM in self._registry.menu:
            raise ValueError(f"menu item {MAIN_ITEM!r} belongs to the reader service")
        self._menu = self._registry.menu_places()
        self._readers = readers
        self._turns = turns
        self._outbox = outbox
        self._catalog = catalog
        self._messengers = messengers
        self._config = config
        policy = config.policy
        self._throttle = Throttle(policy.flood_burst, policy.flood_period_seconds)
        self._turn_locks: weakref.WeakValueDictionary[Address, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    @property
    def listed_commands(self) -> tuple[Command, ...]:
        """The commands for platforms' command menus, in the features' order."""
        return self._registry.listed

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
        turn: Turn | None = None
        try:
            turn = await self._begin(event, verdict)
            if verdict is Verdict.ALLOW:
                await self._route(turn)
        except Exception:
            log.exception("turn failed for %s", event.address)
            if turn is not None:
                await self._store_failed(turn)
            translator = self._catalog.translator(event.language_code)
            await self._acknowledge(messenger, event)
            await self._send(messenger, event, [Reply(translator("error-generic"))])
            return
        await self._acknowledge(messenger, event)
        await self._finish(messenger, turn)

    async def _begin(self, event: Event, verdict: Verdict) -> Turn:
        """The reader and their dialog state in one read; a new reader is stored at once,
        since features key what they store by the reader's id."""
        reader, state = await self._turns.load(event.address)
        first = reader is None
        if reader is None:
            reader = await self._readers.create(
                event.address, self._catalog.pick(event.language_code)
            )
        elif not reader.reachable:
            await self._readers.set_reachable(event.address, True)
        turn = Turn(event, reader, state, self._catalog.translator(reader.language), self._menu)
        if first:
            turn.state.data["first_contact"] = True
        if verdict is Verdict.WARN:
            turn.say(turn.t("flood-warning"))
        elif (
            reader.has_consent
            and (event.text or event.attachments)
            and state.flow not in self._registry.secret_flows
        ):
            turn.inbound = LoggedMessage(
                Direction.IN, event.text, [a.metadata() for a in event.attachments]
            )
        return turn

    async def _store_failed(self, turn: Turn) -> None:
        """A failed turn still logs what the reader wrote; its dialog state stays as it was."""
        if turn.forgotten:
            return
        record = TurnRecord(
            turn.reader.id,
            turn.reader.address.platform,
            None,
            (turn.inbound,) if turn.inbound is not None else (),
        )
        try:
            await self._turns.store(record)
        except Exception:
            log.exception("could not store the failed turn of %s", turn.event.address)

    async def _route(self, turn: Turn) -> None:
        event = turn.event
        registry = self._registry
        first = bool(turn.state.data.pop("first_contact", False))
        numbered = self._numbered_choice(turn)
        if numbered in registry.button_only:
            turn.say(turn.t("confirm-by-button"))
            return
        payload_text = event.payload or numbered
        if payload_text is not None or event.command:
            await self._leave(turn, payload_text)
        word = registry.words.get((event.text or "").strip().lower())
        if payload_text is not None:
            await self._on_button(turn, payload_text)
        elif first and registry.greeting is not None:
            await registry.greeting.run(turn)
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
        elif turn.state.flow in registry.forms:
            await self._on_form_message(turn)
        elif word is not None:
            await self._leave(turn, None)
            await word.run(turn)
        else:
            await self._on_message(turn)

    async def _leave(self, turn: Turn, payload: str | None) -> None:
        for leave in self._registry.leavers:
            await leave(turn, payload)

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

    async def _on_command(self, turn: Turn, name: str) -> None:
        command = self._registry.commands.get(name)
        if command is None:
            turn.say(turn.t("unknown-command"))
        else:
            await command.run(turn)

    async def _on_message(self, turn: Turn) -> None:
        """Free text and files: to the feature that takes them in the reader's dialog flow,
        or outside any flow when no feature knows the flow."""
        flows = self._registry.flows
        on_message = flows.get(turn.state.flow) or flows.get(None)
        if on_message is None:
            show_main_menu(turn)
        else:
            await on_message(turn)

    async def _on_button(self, turn: Turn, raw: str) -> None:
        payload = parse(raw)
        if payload is None:
            refuse_button(turn)
            return
        if payload.action in self._registry.consent_actions and not turn.reader.has_consent:
            self._ask_consent(turn, raw)
            return
        if payload.action == MENU_ACTION:
            await self._on_menu(turn, payload)
        elif payload.action == forms.FORM_ACTION:
            await self._on_form_button(turn, payload)
        elif (handler := self._registry.actions.get(payload.action)) is not None:
            await handler(turn, payload)
        else:
            refuse_button(turn)
            return
        if turn.resume is not None:
            resume, turn.resume = turn.resume, None
            await self._on_button(turn, resume)

    def _ask_consent(self, turn: Turn, then: str) -> None:
        ask = self._registry.ask_consent
        assert ask is not None, "the registry refuses consent gates without an asker"
        ask(turn, then)

    async def _on_menu(self, turn: Turn, payload: Payload) -> None:
        item = payload.arg(0) or ""
        entry = self._registry.menu.get(item)
        if entry is not None and entry.needs_consent and not turn.reader.has_consent:
            self._ask_consent(turn, menu_payload(item))
        elif entry is not None:
            await entry.run(turn)
        elif item == MAIN_ITEM:
            if turn.state.flow:
                forms.finish(turn)
            show_main_menu(turn)
        else:
            refuse_button(turn)

    async def _on_form_button(self, turn: Turn, payload: Payload) -> None:
        form = self._registry.forms.get(payload.arg(0) or "")
        if form is None or turn.state.flow != form.name:
            refuse_button(turn)
            return
        outcome = forms.on_button(turn, form, payload)
        await self._after_form(turn, form, outcome)

    async def _on_form_message(self, turn: Turn) -> None:
        form = self._registry.forms[turn.state.flow or ""]
        outcome = forms.on_message(turn, form, self._config.policy.max_attachments)
        await self._after_form(turn, form, outcome)

    async def _after_form(self, turn: Turn, form: forms.Form, outcome: str) -> None:
        if outcome == forms.FormOutcome.CANCELLED:
            turn.state.data.pop("draft", None)
            show_main_menu(turn)
        elif outcome == forms.FormOutcome.SUBMIT:
            await self._registry.submitters[form.name](turn, form)

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
        """Store the turn in one transaction, then answer. The store holds its dialog state
        and its conversation log (the reader's message and the answer). It comes first
        because the reader acts on the answer the moment it arrives, and that next update may
        reach another process, whose turn lock this one's does not hold: it must find the
        state this turn left, not the one before. The log is not batched across turns: a
        crash loses at most the turn it interrupted."""
        if not turn.forgotten:
            offered = [b.payload for b in turn.replies[-1].flat_buttons()] if turn.replies else []
            turn.state.offered = offered
            logged: list[LoggedMessage] = []
            if turn.reader.has_consent:
                if turn.inbound is not None:
                    logged.append(turn.inbound)
                logged.extend(LoggedMessage(Direction.OUT, reply.text) for reply in turn.replies)
            await self._turns.store(
                TurnRecord(
                    turn.reader.id,
                    turn.reader.address.platform,
                    turn.state,
                    tuple(logged),
                )
            )
        await self._send(messenger, turn.event, turn.replies)


def _only_unsupported(event: Event) -> bool:
    return (
        bool(event.attachments)
        and not event.text
        and all(a.kind is AttachmentKind.UNSUPPORTED for a in event.attachments)
    )
