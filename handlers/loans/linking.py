"""Linking a library card: its number, then a PIN when the circulation system needs one.

The PIN goes to the circulation system and nowhere else: its flow is secret (the reader
service does not write it to the conversation log), it is not kept in the dialog state, and
it is never echoed. Where the platform allows it, the message that carried it is deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from handlers.core import forms
from handlers.core.config import ServiceConfig
from handlers.core.menu import MENU_MAIN
from handlers.core.messenger import DeliveryError, Messenger
from handlers.core.replies import Reply
from handlers.core.turn import Turn
from handlers.loans.buttons import LINK, LOANS_MENU
from handlers.loans.form import CARD_LIMIT, validate_card
from handlers.loans.ils import Ils, IlsUnavailable, PatronStatus
from handlers.loans.patience import patiently
from handlers.loans.ports import LibraryCards
from handlers.loans.wording import patron_text
from storage.models import Platform

log = logging.getLogger(__name__)

FLOW_CARD = "loans-card"
FLOW_PIN = "loans-pin"
PIN_LIMIT = 64


class CardLinking:
    """The card number, then (when ``ils`` needs one) the PIN, checked by ``ils``; with no
    circulation system (the manual backend) the number is just stored."""

    def __init__(
        self,
        *,
        cards: LibraryCards,
        ils: Ils | None,
        messengers: Mapping[Platform, Messenger],
        config: ServiceConfig,
    ) -> None:
        self._cards = cards
        self._ils = ils
        self._messengers = messengers
        self._config = config

    def ask_card(self, turn: Turn) -> None:
        forms.finish(turn)
        turn.state.flow = FLOW_CARD
        turn.say(turn.t("loans-card-prompt"), (turn.button("loans-cancel", LOANS_MENU),))

    async def on_card(self, turn: Turn) -> None:
        text = (turn.event.text or "").strip()
        if not text or len(text) > CARD_LIMIT or validate_card(text) is not None:
            turn.say(turn.t("renew-card-invalid"), (turn.button("loans-cancel", LOANS_MENU),))
            return
        if self._ils is None:
            await self._link(turn, text)
            return
        if not self._ils.needs_pin:
            await self._verify(turn, text, None)
            return
        turn.state.flow = FLOW_PIN
        turn.state.data["card"] = text
        hint = "loans-pin-prompt" if _deletes_readers_messages(turn) else "loans-pin-prompt-vk"
        turn.say(turn.t(hint), (turn.button("loans-cancel", LOANS_MENU),))

    async def on_pin(self, turn: Turn) -> None:
        # The PIN goes to the circulation system and nowhere else: it is not kept in the
        # dialog state or the conversation log (the flow is secret), and not echoed.
        pin = (turn.event.text or "").strip()
        card = turn.state.data.get("card")
        deleted = await self._delete_pin_message(turn)
        if not isinstance(card, str) or not pin or len(pin) > PIN_LIMIT:
            forms.finish(turn)
            turn.say(turn.t("loans-pin-invalid"), (turn.button("loans-link", LINK),))
            return
        await self._verify(turn, card, pin)
        if deleted:
            turn.replies[-1:] = [
                _with_note(reply, turn.t("loans-pin-deleted")) for reply in turn.replies[-1:]
            ]

    async def _verify(self, turn: Turn, card: str, pin: str | None) -> None:
        assert self._ils is not None
        forms.finish(turn)
        try:
            check = await patiently(self._ils.verify(card, pin))
        except IlsUnavailable as error:
            log.warning("a card was not checked: %s", error)
            turn.say(turn.t("loans-ils-down-link"), (turn.button("back-to-menu", MENU_MAIN),))
            return
        if check.status in (PatronStatus.OK, PatronStatus.BLOCKED):
            await self._link(turn, card, name=check.name)
            if check.status is PatronStatus.BLOCKED:
                turn.say(patron_text(turn.t, check.status))
        else:
            turn.say(
                patron_text(turn.t, check.status),
                (turn.button("loans-link", LINK),),
                (turn.button("back-to-menu", MENU_MAIN),),
            )
        if check.message:
            message = " ".join(check.message.split())
            turn.say(turn.t("loans-library-says", message=message))

    async def _link(self, turn: Turn, card: str, name: str | None = None) -> None:
        forms.finish(turn)
        days = self._config.loans.reminder_days
        await self._cards.link(turn.reader.id, card, days)
        text = turn.t("loans-linked", card=card)
        if name:
            text = turn.t("loans-linked-name", card=card, name=name)
        turn.say(
            text,
            (turn.button("loans-back", LOANS_MENU),),
            (turn.button("back-to-menu", MENU_MAIN),),
        )

    async def _delete_pin_message(self, turn: Turn) -> bool:
        event = turn.event
        messenger = self._messengers.get(event.platform)
        if messenger is None or event.message_id is None or not _deletes_readers_messages(turn):
            return False
        try:
            await messenger.delete(event.address, event.message_id)
        except DeliveryError as error:
            log.info("the message with a PIN was not deleted: %s", type(error).__name__)
            return False
        return True


def _deletes_readers_messages(turn: Turn) -> bool:
    """Telegram lets a bot delete a user's message in a private chat; VK does not let a
    community delete a reader's message in its dialog."""
    return turn.event.platform is Platform.TELEGRAM


def _with_note(reply: Reply, note: str) -> Reply:
    return replace(reply, text=f"{reply.text}\n\n{note}")
