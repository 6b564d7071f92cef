"""Searching the arrivals by word: the reader writes words, in any of their forms, and gets
the arrivals that hold them all."""

from __future__ import annotations

from handlers.arrivals.display import entry, shorten
from handlers.arrivals.ports import Arrivals
from handlers.arrivals.subjects import SubjectMap
from handlers.core.menu import MENU_MAIN
from handlers.core.payloads import pack
from handlers.core.turn import Turn
from storage.stems import query_stems

SEARCH_FLOW = "arrivals-search"
"""Dialog flow: the reader's next text is a search query."""

RESULT_LIMIT = 10
QUERY_SHOWN = 100


class SearchFlow:
    def __init__(self, arrivals: Arrivals, subjects: SubjectMap) -> None:
        self._arrivals = arrivals
        self._subjects = subjects

    @staticmethod
    def start(turn: Turn) -> None:
        turn.state.flow, turn.state.step = SEARCH_FLOW, None
        turn.say(
            turn.t("arrivals-search-prompt"),
            (turn.button("arrivals-all", pack("arr", "p", "0")),),
            (turn.button("back-to-menu", MENU_MAIN),),
        )

    async def on_text(self, turn: Turn) -> None:
        query = (turn.event.text or "").strip()
        if not query_stems(query):
            turn.say(
                turn.t("arrivals-search-no-words"),
                (turn.button("back-to-menu", MENU_MAIN),),
            )
            return
        found = await self._arrivals.search(query, RESULT_LIMIT + 1)
        turn.state.flow = None
        shown = shorten(" ".join(query.split()), QUERY_SHOWN)
        again = (
            (turn.button("arrivals-search-again", pack("arr", "find")),),
            (turn.button("arrivals-all", pack("arr", "p", "0")),),
            (turn.button("back-to-menu", MENU_MAIN),),
        )
        if not found:
            turn.say(turn.t("arrivals-search-none", query=shown), *again)
            return
        lines = [turn.t("arrivals-search-results", query=shown)]
        lines += [
            entry(turn.t, self._subjects, number, arrival)
            for number, arrival in enumerate(found[:RESULT_LIMIT], start=1)
        ]
        if len(found) > RESULT_LIMIT:
            lines.append(turn.t("arrivals-search-more", limit=RESULT_LIMIT))
        turn.say("\n\n".join(lines), *again)

    @staticmethod
    async def leave(turn: Turn, payload: str | None) -> None:
        """A press elsewhere, or a command, ends the search: the next text is not a query."""
        if turn.state.flow == SEARCH_FLOW:
            turn.state.flow = None
