"""Telegram's length limits; the text is cut by the core's splitter, which counts UTF-16 code
units as Telegram does."""

from __future__ import annotations

from handlers.core.text_split import split_text as _split_text
from handlers.core.text_split import utf16_length

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

__all__ = ["CAPTION_LIMIT", "TEXT_LIMIT", "split_text", "utf16_length"]


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    return _split_text(text, limit)
