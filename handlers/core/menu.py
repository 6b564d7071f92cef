"""The main menu, made of the places the registered features declare, and the one answer
to a button the bot would not offer now."""

from __future__ import annotations

from itertools import groupby

from handlers.core.payloads import pack
from handlers.core.replies import Button
from handlers.core.turn import Turn

MENU_ACTION = "menu"
"""The payload action of main-menu buttons: ``menu:<item>``."""
MAIN_ITEM = "main"
"""The item that shows the main menu itself (leaving any form in progress)."""
MENU_MAIN = pack(MENU_ACTION, MAIN_ITEM)


def menu_payload(item: str) -> str:
    return pack(MENU_ACTION, item)


def main_menu_rows(turn: Turn) -> list[tuple[Button, ...]]:
    places = sorted(turn.menu, key=lambda place: (place.row, place.column))
    return [
        tuple(turn.button(place.label, place.payload) for place in row)
        for _, row in groupby(places, key=lambda place: place.row)
    ]


def show_main_menu(turn: Turn, text_id: str = "menu-prompt") -> None:
    turn.say(turn.t(text_id), *main_menu_rows(turn))


def refuse_button(turn: Turn) -> None:
    """The one answer to a button the bot would not offer this reader now: outdated, forged,
    or naming something that is not theirs. It reveals nothing about why."""
    turn.say(turn.t("stale-button"))
    show_main_menu(turn)
