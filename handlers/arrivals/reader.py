"""The reader side of new arrivals: the latest arrivals page by page, by library subject,
and search by word (see :mod:`handlers.arrivals.search`).

Payloads: ``arr:p:<page>`` (all arrivals), ``arr:sl:<page>`` (the subject list),
``arr:s:<code>:<page>`` (one subject), ``arr:find`` (start a search). Every page number and
subject code is checked: a forged or outdated one gets a clear answer and the nearest page
that exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.arrivals.display import entry
from handlers.arrivals.paging import PagePayload, page_of, paged_rows, pager
from handlers.arrivals.ports import Arrivals
from handlers.arrivals.search import SEARCH_FLOW, SearchFlow
from handlers.arrivals.subjects import SubjectMap
from handlers.core.features import MenuEntry, ReaderFeature
from handlers.core.menu import MENU_MAIN
from handlers.core.numbers import typed_number
from handlers.core.payloads import Payload, pack
from handlers.core.replies import Button
from handlers.core.turn import Turn

NEW_ITEM = "new"
ACTION = "arr"
PAGE_SIZE = 5
SUBJECTS_PER_PAGE = 6
"""With the page buttons and «back» this stays within VK's 10 inline buttons in 6 rows."""

ALL_ARRIVALS = pack(ACTION, "p", "0")


def _page_number(raw: str | None) -> int | None:
    number = typed_number(raw or "")
    return number if number is not None and number < 1_000_000 else None


@dataclass(frozen=True, slots=True)
class Browsing:
    """The «New arrivals» menu entry and its pages, subjects and search."""

    arrivals: Arrivals
    subjects: SubjectMap
    links: tuple[tuple[str, str], ...] = ()
    """Buttons other parts of the feature add under the lists: (message id, payload)."""

    def feature(self) -> ReaderFeature:
        search = SearchFlow(self.arrivals, self.subjects)
        return ReaderFeature(
            name="arrivals",
            menu=(MenuEntry(NEW_ITEM, "menu-new", row=30, column=1, run=self._show_latest),),
            actions={ACTION: self._on_press},
            flows={SEARCH_FLOW: search.on_text},
            leave=search.leave,
        )

    async def _show_latest(self, turn: Turn) -> None:
        await self._show_page(turn, 0, None)

    async def _on_press(self, turn: Turn, payload: Payload) -> None:
        kind = payload.arg(0)
        if kind == "find" and len(payload.args) == 1:
            SearchFlow.start(turn)
            return
        if kind == "p" and len(payload.args) == 2:
            page = _page_number(payload.arg(1))
            if page is not None:
                await self._show_page(turn, page, None)
                return
        elif kind == "sl" and len(payload.args) == 2:
            page = _page_number(payload.arg(1))
            if page is not None:
                await self._show_subjects(turn, page)
                return
        elif kind == "s" and len(payload.args) == 3:
            code, page = payload.arg(1) or "", _page_number(payload.arg(2))
            if self.subjects.get(code) is None:
                turn.say(turn.t("arrivals-unknown-subject"))
                await self._show_subjects(turn, 0)
                return
            if page is not None:
                await self._show_page(turn, page, code)
                return
        turn.say(turn.t("arrivals-stale-page"))
        await self._show_page(turn, 0, None)

    async def _show_page(self, turn: Turn, page: int, subject: str | None) -> None:
        listing = await self.arrivals.latest(page * PAGE_SIZE, PAGE_SIZE, subject)
        if not listing.items and page > 0 and listing.total > 0:
            turn.say(turn.t("arrivals-stale-page"))
            page = (listing.total - 1) // PAGE_SIZE
            listing = await self.arrivals.latest(page * PAGE_SIZE, PAGE_SIZE, subject)
        if not listing.items:
            self._say_empty(turn, subject)
            return
        first = page * PAGE_SIZE + 1
        heading = (
            turn.t(
                "arrivals-subject-title",
                subject=self._subject_name(turn, subject),
                first=first,
                last=first + len(listing.items) - 1,
                total=listing.total,
            )
            if subject is not None
            else turn.t(
                "arrivals-title",
                first=first,
                last=first + len(listing.items) - 1,
                total=listing.total,
            )
        )
        entries = [
            entry(turn.t, self.subjects, first + index, arrival)
            for index, arrival in enumerate(listing.items)
        ]
        rows: list[tuple[Button, ...]] = []
        pages = pager(turn, page, listing.total, PAGE_SIZE, self._page_payload(subject))
        if pages:
            rows.append(pages)
        if subject is None:
            rows.append(
                (
                    turn.button("arrivals-by-subject", pack(ACTION, "sl", "0")),
                    turn.button("arrivals-search", pack(ACTION, "find")),
                )
            )
        else:
            rows.append((turn.button("arrivals-subjects", pack(ACTION, "sl", "0")),))
        rows.extend(self._links(turn))
        rows.append((turn.button("back-to-menu", MENU_MAIN),))
        turn.say("\n\n".join([heading, *entries]), *rows)

    def _links(self, turn: Turn) -> list[tuple[Button, ...]]:
        return [(turn.button(label, payload),) for label, payload in self.links]

    def _say_empty(self, turn: Turn, subject: str | None) -> None:
        if subject is None:
            turn.say(
                turn.t("arrivals-empty"),
                *self._links(turn),
                (turn.button("back-to-menu", MENU_MAIN),),
            )
        else:
            turn.say(
                turn.t("arrivals-subject-empty", subject=self._subject_name(turn, subject)),
                (turn.button("arrivals-subjects", pack(ACTION, "sl", "0")),),
                (turn.button("back-to-menu", MENU_MAIN),),
            )

    async def _show_subjects(self, turn: Turn, page: int) -> None:
        counts = await self.arrivals.subject_counts()
        present = [s for s in self.subjects.subjects if counts.get(s.code)]
        if not present:
            turn.say(
                turn.t("arrivals-subjects-empty"),
                (turn.button("arrivals-all", ALL_ARRIVALS),),
                (turn.button("back-to-menu", MENU_MAIN),),
            )
            return
        shown = page_of(present, page, SUBJECTS_PER_PAGE)
        if shown.stale:
            turn.say(turn.t("arrivals-stale-page"))
        buttons = [
            Button(
                turn.t(
                    "arrivals-subject-button", subject=s.name(turn.t.language), count=counts[s.code]
                ),
                pack(ACTION, "s", s.code, "0"),
            )
            for s in shown.items
        ]
        rows = paged_rows(turn, buttons, shown, lambda n: pack(ACTION, "sl", str(n)))
        rows.append((turn.button("arrivals-all", ALL_ARRIVALS),))
        turn.say(turn.t("arrivals-subjects-title"), *rows)

    def _subject_name(self, turn: Turn, code: str | None) -> str:
        subject = self.subjects.get(code or "")
        return subject.name(turn.t.language) if subject is not None else ""

    @staticmethod
    def _page_payload(subject: str | None) -> PagePayload:
        if subject is None:
            return lambda n: pack(ACTION, "p", str(n))
        return lambda n: pack(ACTION, "s", subject, str(n))
