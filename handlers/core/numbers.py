"""Numbers that people type or that payloads carry, read without trusting them."""

from __future__ import annotations

MAX_DIGITS = 18
"""The longest number that surely fits the database's signed 64-bit integer columns."""


def typed_number(text: str) -> int | None:
    """The number ``text`` spells in ASCII digits, surrounding spaces aside, if it has at most
    ``MAX_DIGITS`` digits; otherwise None.

    ``str.isdigit`` alone is not enough: it accepts "²", which ``int`` refuses, and any
    length, while ``int`` refuses more than 4300 digits and the database more than 18.
    """
    digits = text.strip()
    if not digits or len(digits) > MAX_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)
