"""Splitting plain text to fit Telegram's length limits, which count UTF-16 code units."""

from __future__ import annotations

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def utf16_length(text: str) -> int:
    """The length Telegram measures: characters outside the BMP (emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` UTF-16 units.

    A piece ends at the last paragraph break, line break or space that fits, so that words
    stay whole; a single word longer than the limit is cut where it must be.
    """
    pieces: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        head = _longest_prefix(rest, limit)
        cut = _natural_cut(head)
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if piece:
            pieces.append(piece)
    if rest.strip():
        pieces.append(rest)
    return pieces


def _longest_prefix(text: str, limit: int) -> str:
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
            return position + len(separator)
    return len(head)
