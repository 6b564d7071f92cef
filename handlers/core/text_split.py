"""Cutting plain text to the platforms' length limits, which Telegram counts in UTF-16 code
units (VK's limits are lower than its counts, so the same measure serves it)."""

from __future__ import annotations


def utf16_length(text: str) -> int:
    """The length Telegram measures: characters outside the BMP (emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 units. A piece ends at the last paragraph break,
    line break or space in its second half, so that words stay whole; a single word longer
    than the limit is cut where it must be. Text that fits is kept as it is; blank text
    gives no pieces."""
    pieces: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        head = longest_prefix(rest, limit)
        cut = _natural_cut(head)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest.strip():
        pieces.append(rest)
    return pieces


def longest_prefix(text: str, limit: int) -> str:
    """The longest start of ``text`` of at most ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def _natural_cut(head: str) -> int:
    for separator in ("\n\n", "\n", " "):
        position = head.rfind(separator)
        if position > len(head) // 2:
            return position
    return len(head)
