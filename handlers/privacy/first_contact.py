"""Welcome, consent and the notices every reader sees first."""

from __future__ import annotations

from handlers.core.config import ServiceConfig
from handlers.core.menu import main_menu_rows, show_main_menu
from handlers.core.payloads import pack
from handlers.core.ports import Readers
from handlers.core.turn import Turn
from handlers.privacy.settings import MENU_SETTINGS, privacy_notice
from storage.models import ConsentState, ErasedTicket, Reader

CONSENT_YES = pack("consent", "yes")
CONSENT_NO = pack("consent", "no")
CONSENT_WITHDRAW_YES = pack("consent", "withdraw-yes")


def welcome(turn: Turn, config: ServiceConfig) -> None:
    """Welcome, privacy notice and disclaimer in one message, with the menu under it; a
    reader who has not yet decided on consent also gets the consent buttons on top."""
    text = "\n\n".join(
        (
            turn.t("welcome", library=config.library.name),
            privacy_notice(turn, config),
            turn.t("medical-disclaimer"),
        )
    )
    rows = main_menu_rows(turn)
    if turn.reader.consent is ConsentState.UNKNOWN:
        text += "\n\n" + turn.t("consent-question")
        rows.insert(
            0,
            (turn.button("consent-agree", CONSENT_YES), turn.button("consent-decline", CONSENT_NO)),
        )
    turn.say(text, *rows)


def ask_consent(turn: Turn, config: ServiceConfig, then: str | None = None) -> None:
    """Ask for consent before a feature that keeps personal data; ``then`` is the menu
    payload to continue with once the reader agrees."""
    turn.state.data["after_consent"] = then
    turn.say(
        turn.t("consent-needed") + "\n\n" + privacy_notice(turn, config),
        (turn.button("consent-agree", CONSENT_YES), turn.button("consent-decline", CONSENT_NO)),
    )


async def give_consent(turn: Turn, readers: Readers) -> str | None:
    """Record consent; returns the payload the reader was heading to, if any (otherwise the
    menu is shown with the thanks)."""
    await readers.set_consent(turn.reader.id, ConsentState.GIVEN, turn.event.display_name or None)
    turn.reader = await _reload(readers, turn)
    then = turn.state.data.pop("after_consent", None)
    if isinstance(then, str):
        turn.say(turn.t("consent-thanks"))
        return then
    show_main_menu(turn, "consent-thanks")
    return None


async def decline_consent(turn: Turn, readers: Readers) -> None:
    await readers.set_consent(turn.reader.id, ConsentState.DECLINED)
    turn.reader = await _reload(readers, turn)
    turn.state.data.pop("after_consent", None)
    show_main_menu(turn, "consent-declined")


def confirm_withdrawal(turn: Turn) -> None:
    """Withdrawal erases the reader's requests and conversation, so it is confirmed first,
    with a button only."""
    turn.say(
        turn.t("consent-withdraw-confirm"),
        (
            turn.button("consent-withdraw-yes", CONSENT_WITHDRAW_YES),
            turn.button("forget-no", MENU_SETTINGS),
        ),
    )


async def withdraw_consent(turn: Turn, readers: Readers) -> list[ErasedTicket]:
    """Withdrawal stops processing: everything the reader wrote or was sent is erased with
    the consent. Returns the erased tickets, whose staff-chat cards must say so."""
    erased = await readers.withdraw_consent(turn.reader.id)
    turn.reader = await _reload(readers, turn)
    turn.state.flow = turn.state.step = None
    turn.state.data.clear()
    show_main_menu(turn, "consent-withdrawn")
    return erased


async def _reload(readers: Readers, turn: Turn) -> Reader:
    reader = await readers.get_by_id(turn.reader.id)
    assert reader is not None, "the reader vanished during the turn"
    return reader
