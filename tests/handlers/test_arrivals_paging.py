"""page_of: the slice on screen, and a page past the end (the list shrank) shown as the last."""

from __future__ import annotations

from handlers.arrivals.paging import page_of


def test_a_page_inside_the_list_is_its_slice() -> None:
    page = page_of(list(range(14)), 1, 6)

    assert (page.number, list(page.items), page.stale) == (1, [6, 7, 8, 9, 10, 11], False)


def test_a_page_past_the_end_is_the_last_page_marked_stale() -> None:
    page = page_of(list(range(14)), 5, 6)

    assert (page.number, list(page.items), page.stale) == (2, [12, 13], True)


def test_an_empty_list_has_one_empty_page() -> None:
    page = page_of(list[int](), 0, 6)

    assert (page.number, list(page.items), page.stale) == (0, [], False)
