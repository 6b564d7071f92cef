"""ISBNs reduced to one form, so that the ISBN-10 and the ISBN-13 of a book compare equal."""

from __future__ import annotations

import re

_NOT_ISBN_CHAR = re.compile(r"[^0-9Xx]")
_CANDIDATE = re.compile(r"(?:97[89][\s\-]?)?(?:\d[\s\-]?){9}[\dXx]")


def _check_10(digits: str) -> bool:
    total = sum((10 - i) * (10 if c in "Xx" else int(c)) for i, c in enumerate(digits))
    return digits[:9].isdigit() and total % 11 == 0


def _check_digit_13(first12: str) -> str:
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(first12))
    return str((10 - total % 10) % 10)


def normalise(raw: str) -> str | None:
    """The ISBN-13 of the first ISBN in ``raw`` (hyphens, spaces and trailing qualifiers
    such as «(в пер.)» allowed), or None when it holds no valid ISBN."""
    match = _CANDIDATE.search(raw)
    if match is None:
        return None
    digits = _NOT_ISBN_CHAR.sub("", match.group())
    if len(digits) == 10:
        if not _check_10(digits):
            return None
        body = "978" + digits[:9]
        return body + _check_digit_13(body)
    if len(digits) == 13 and digits.isdigit() and digits[:3] in ("978", "979"):
        return digits if _check_digit_13(digits[:12]) == digits[12] else None
    return None


def normalise_all(raws: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The distinct valid ISBN-13s of ``raws``, in order."""
    found: dict[str, None] = {}
    for raw in raws:
        isbn = normalise(raw)
        if isbn is not None:
            found.setdefault(isbn)
    return tuple(found)
