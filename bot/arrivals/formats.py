"""Telling an arrivals file's format from its content, and its reader."""

from __future__ import annotations

from collections.abc import Callable

from bot.arrivals.csvfile import header_columns, read_csv
from bot.arrivals.feed import looks_like_feed, read_feed
from bot.arrivals.marc import looks_like_iso2709, looks_like_marcxml, read_iso2709, read_marcxml
from bot.arrivals.parsed import Records

Reader = Callable[[bytes, str], Records]


def reader_for(data: bytes) -> tuple[str, Reader] | None:
    """The format of ``data`` and its reader, told from the content, not the file name."""
    if looks_like_iso2709(data):
        return "ISO 2709", read_iso2709
    if looks_like_feed(data):
        return "RSS/Atom", read_feed
    if looks_like_marcxml(data):
        return "MARCXML", read_marcxml
    if header_columns(data) is not None:
        return "CSV", read_csv
    return None
