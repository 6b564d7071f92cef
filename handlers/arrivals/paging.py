"""Lists the arrivals feature shows a page at a time: the slice on screen, the subject
buttons two to a row, and «back»/«more» buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from handlers.core.replies import Button
from handlers.core.turn import Turn

T = TypeVar("T")

PagePayload = Callable[[int], str]
"""The payload of a list's page by its number."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    number: int
    """The page shown: the one asked for, or the last one when that is past the end."""
    items: Sequence[T]
    stale: bool
    """The page asked for is past the end: the list shrank since its button was sent."""
    total: int
    size: int


def page_of(items: Sequence[T], page: int, size: int) -> Page[T]:
    last = max(len(items) - 1, 0) // size
    number = min(page, last)
    shown = items[number * size : (number + 1) * size]
    return Page(number, shown, stale=page > last, total=len(items), size=size)


def paged_rows(
    turn: Turn, buttons: Sequence[Button], page: Page[Any], payload: PagePayload
) -> list[tuple[Button, ...]]:
    """The page's buttons two to a row, then «back»/«more» when there are other pages."""
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    if pages := pager(turn, page.number, page.total, page.size, payload):
        rows.append(pages)
    return rows


def pager(turn: Turn, page: int, total: int, size: int, payload: PagePayload) -> tuple[Button, ...]:
    """«Back» unless this is the first page, «more» unless it is the last; () for one page."""
    buttons = []
    if page > 0:
        buttons.append(turn.button("arrivals-prev", payload(page - 1)))
    if (page + 1) * size < total:
        buttons.append(turn.button("arrivals-next", payload(page + 1)))
    return tuple(buttons)
