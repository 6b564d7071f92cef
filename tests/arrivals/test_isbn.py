"""ISBNs compare equal whatever their form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.isbn import normalise, normalise_all


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5-9704-0000-9", "9785970400005"),
        ("978-5-9704-0000-5", "9785970400005"),
        ("ISBN 978 5 9704 0000 5 (в пер.)", "9785970400005"),
        ("0-306-40615-2", "9780306406157"),
        ("080442957X", "9780804429573"),
        ("5-9704-0000-8", None),
        ("978-5-9704-0000-4", None),
        ("нет", None),
        ("", None),
    ],
)
def test_normalise(raw: str, expected: str | None) -> None:
    assert normalise(raw) == expected


def test_normalise_all_keeps_each_book_once() -> None:
    assert normalise_all(("5-9704-0000-9", "9785970400005", "bad")) == ("9785970400005",)


@given(st.text())
def test_any_text_gives_a_valid_isbn_13_or_none(text: str) -> None:
    result = normalise(text)
    assert result is None or (len(result) == 13 and result.isdigit())
