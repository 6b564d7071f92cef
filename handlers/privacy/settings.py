"""The settings menu and the privacy and help texts that go with it."""

from __future__ import annotations

from handlers.core.config import ServiceConfig
from handlers.core.i18n import days_count
from handlers.core.menu import MENU_MAIN, menu_payload
from handlers.core.payloads import pack
from handlers.core.replies import Button
from handlers.core.turn import Turn

SETTINGS_ITEM = "settings"
MENU_SETTINGS = menu_payload(SETTINGS_ITEM)


def show_settings(turn: Turn) -> None:
    rows: list[tuple[Button, ...]] = [
        (turn.button("settings-language", pack("lang", "ask")),),
        (turn.button("settings-privacy", pack("privacy", "show")),),
    ]
    if turn.reader.has_consent:
        rows.append((turn.button("settings-withdraw", pack("consent", "withdraw")),))
    else:
        rows.append((turn.button("consent-agree", pack("consent", "yes")),))
    rows.append((turn.button("settings-forget", pack("forget", "ask")),))
    rows.append((turn.button("back-to-menu", MENU_MAIN),))
    turn.say(turn.t("settings-prompt"), *rows)


def privacy_notice(turn: Turn, config: ServiceConfig) -> str:
    return turn.t("privacy-notice", days=days_count(turn.t, config.policy.retention_days))


def privacy_details(turn: Turn, config: ServiceConfig) -> str:
    """The short notice, then exactly what erasure and retention delete and what they leave."""
    days = days_count(turn.t, config.policy.retention_days)
    return turn.t("privacy-notice", days=days) + "\n\n" + turn.t("privacy-details", days=days)


def help_text(turn: Turn, config: ServiceConfig) -> str:
    library = config.library
    text = turn.t("help", library=library.name, hours=library.working_hours)
    if library.contacts:
        text += "\n\n" + turn.t("help-contacts", contacts=library.contacts)
    return text
