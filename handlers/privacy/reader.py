"""The reader side of privacy and first contact: ``/start`` and the welcome, consent,
``/forget``, the language, settings, help, ``/menu`` and ``/cancel``."""

from __future__ import annotations

from handlers.core import forms
from handlers.core.config import ServiceConfig
from handlers.core.features import Command, MenuEntry, ReaderFeature
from handlers.core.i18n import Catalog
from handlers.core.menu import MENU_MAIN, refuse_button, show_main_menu
from handlers.core.payloads import Payload, pack
from handlers.core.ports import Readers, StaffDesk
from handlers.core.turn import Turn
from handlers.privacy import first_contact
from handlers.privacy.settings import (
    MENU_SETTINGS,
    SETTINGS_ITEM,
    help_text,
    privacy_details,
    show_settings,
)

START_WORDS = frozenset({"начать", "start", "старт", "меню", "menu"})
"""What VK readers press or type to begin: VK has no commands."""

FORGET_YES = pack("forget", "yes")


class FirstContact:
    """The handlers behind the privacy feature's commands, buttons and menu entry.

    ``desk`` is told of the tickets erased with a reader, so that their staff-chat cards
    say so.
    """

    def __init__(
        self, *, readers: Readers, desk: StaffDesk, catalog: Catalog, config: ServiceConfig
    ) -> None:
        self._readers = readers
        self._desk = desk
        self._catalog = catalog
        self._config = config

    def feature(self) -> ReaderFeature:
        return ReaderFeature(
            name="privacy",
            commands=(
                Command(
                    "start",
                    self._welcome,
                    description="command-start",
                    words=START_WORDS,
                    greets=True,
                ),
                Command("help", self._help, description="command-help"),
                Command(
                    "language",
                    self._offer_languages,
                    aliases=("lang",),
                    description="command-language",
                ),
                Command("forget", self._confirm_forget, description="command-forget"),
                Command("cancel", self._cancel, description="command-cancel"),
                Command("menu", self._menu),
                Command("privacy", self._privacy),
            ),
            actions={
                "start": self._on_start,
                "consent": self._on_consent,
                "lang": self._on_language,
                "forget": self._on_forget,
                "privacy": self._on_privacy,
            },
            button_only=frozenset({FORGET_YES, first_contact.CONSENT_WITHDRAW_YES}),
            menu=(MenuEntry(SETTINGS_ITEM, "menu-settings", row=40, run=self._settings),),
            ask_consent=self._ask_consent,
        )

    async def _welcome(self, turn: Turn) -> None:
        first_contact.welcome(turn, self._config)

    async def _on_start(self, turn: Turn, payload: Payload) -> None:
        first_contact.welcome(turn, self._config)

    def _ask_consent(self, turn: Turn, then: str) -> None:
        first_contact.ask_consent(turn, self._config, then=then)

    async def _help(self, turn: Turn) -> None:
        turn.say(help_text(turn, self._config), (turn.button("back-to-menu", MENU_MAIN),))

    async def _menu(self, turn: Turn) -> None:
        show_main_menu(turn)

    async def _cancel(self, turn: Turn) -> None:
        if turn.state.flow:
            forms.finish(turn)
            turn.say(turn.t("form-cancelled"))
        show_main_menu(turn)

    async def _privacy(self, turn: Turn) -> None:
        turn.say(privacy_details(turn, self._config))

    async def _settings(self, turn: Turn) -> None:
        show_settings(turn)

    async def _on_consent(self, turn: Turn, payload: Payload) -> None:
        choice = payload.arg(0)
        if choice == "yes":
            turn.resume = await first_contact.give_consent(turn, self._readers)
        elif choice == "no":
            await first_contact.decline_consent(turn, self._readers)
        elif choice == "withdraw" and turn.reader.has_consent:
            first_contact.confirm_withdrawal(turn)
        elif choice == "withdraw-yes" and turn.reader.has_consent and turn.event.is_button:
            erased = await first_contact.withdraw_consent(turn, self._readers)
            await self._desk.reader_forgotten(erased)
        else:
            refuse_button(turn)

    async def _offer_languages(self, turn: Turn) -> None:
        rows = [
            (turn.button(f"language-name-{code}", pack("lang", code)),)
            for code in self._catalog.languages
        ]
        turn.say(turn.t("language-prompt"), *rows)

    async def _on_language(self, turn: Turn, payload: Payload) -> None:
        code = payload.arg(0)
        if code == "ask":
            await self._offer_languages(turn)
        elif code in self._catalog.languages:
            await self._readers.set_language(turn.reader.id, code)
            turn.t = self._catalog.translator(code)
            show_main_menu(turn, "language-changed")
        else:
            turn.say(turn.t("stale-button"))
            await self._offer_languages(turn)

    async def _confirm_forget(self, turn: Turn) -> None:
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
            await self._confirm_forget(turn)
        elif choice == "yes" and turn.event.is_button:
            erased = await self._readers.forget(turn.reader.id)
            turn.forgotten = True
            turn.say(turn.t("forget-done"))
            await self._desk.reader_forgotten(erased)
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
            (turn.button("back-to-menu", MENU_SETTINGS),),
        )
