"""The main menu and the settings menu, and the texts that go with them."""

from __future__ import annotations

from handlers.config import ServiceConfig
from handlers.i18n import days_count
from handlers.payloads import pack
from handlers.replies import Button
from handlers.turn import Turn

MENU_ASK = pack("menu", "ask")
MENU_MINE = pack("menu", "mine")
MENU_RENEW = pack("menu", "renew")
MENU_NEW = pack("menu", "new")
MENU_SETTINGS = pack("menu", "settings")
MENU_MAIN = pack("menu", "main")


def main_menu_rows(turn: Turn) -> list[tuple[Button, ...]]:
    return [
        (turn.button("menu-ask", MENU_ASK),),
        (turn.button("menu-mine", MENU_MINE),),
        (turn.button("menu-renew", MENU_RENEW), turn.button("menu-new", MENU_NEW)),
        (turn.button("menu-settings", MENU_SETTINGS),),
    ]


def show_main_menu(turn: Turn, text_id: str = "menu-prompt") -> None:
    turn.say(turn.t(text_id), *main_menu_rows(turn))


def refuse_button(turn: Turn) -> None:
    """The one answer to a button the bot would not offer this reader now: outdated, forged,
    or naming something that is not theirs. It reveals nothing about why."""
    turn.say(turn.t("stale-button"))
    show_main_menu(turn)


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
