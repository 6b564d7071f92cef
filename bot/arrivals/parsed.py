"""What a reader of one input format yields for each record, and the helpers they share."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from storage.arrival_models import ArrivalRecord, Reason, Rejection

YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_TRAILING = re.compile(r"[\s/:;,=]+$")
_FINAL_STOP = re.compile(r"(?<=\w\w)\.$")
"""ISBD's closing full stop, but not the one of an initial («И. И.»)."""

MAX_TITLE = 1000
MAX_FIELD = 255
MAX_DESCRIPTION = 4000


class Unreadable(Exception):
    """The input as a whole cannot be read in the format it looked like."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason = reason


Parsed = ArrivalRecord | Rejection
"""A record read, or the reason one could not be (its number in the input, from 1)."""

Records = Iterator[Parsed]


def year_in(text: str | None) -> int | None:
    """The first plausible publication year in ``text`` («c2024», «[2023]», «2024-2025»)."""
    match = YEAR.search(text or "")
    return int(match.group()) if match else None


def tidy(text: str | None, limit: int = MAX_FIELD) -> str | None:
    """``text`` with whitespace collapsed, ISBD punctuation at the end dropped and cut to
    ``limit`` characters; None when nothing is left."""
    if text is None:
        return None
    flat = _TRAILING.sub("", _FINAL_STOP.sub("", _TRAILING.sub("", " ".join(text.split()))))
    flat = flat.strip("[] ") if flat.startswith("[") and flat.endswith("]") else flat
    return flat[:limit] or None


def distinct(values: Iterable[str | None]) -> tuple[str, ...]:
    """The non-empty values, tidied, each once, in order."""
    found: dict[str, None] = {}
    for value in values:
        cleaned = tidy(value)
        if cleaned:
            found.setdefault(cleaned)
    return tuple(found)
