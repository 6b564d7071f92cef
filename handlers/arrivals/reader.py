"""The reader side of new arrivals."""

from __future__ import annotations

from handlers.core.features import MenuEntry, ReaderFeature
from handlers.core.menu import MENU_MAIN
from handlers.core.turn import Turn

NEW_ITEM = "new"


async def _show_info(turn: Turn) -> None:
    turn.say(turn.t("new-arrivals-info"), (turn.button("back-to-menu", MENU_MAIN),))


def arrivals_reader() -> ReaderFeature:
    """Shares the loans' menu line, to the right of «Renew my loans»."""
    return ReaderFeature(
        name="arrivals",
        menu=(MenuEntry(NEW_ITEM, "menu-new", row=30, column=1, run=_show_info),),
    )
