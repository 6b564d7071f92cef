"""Long texts cut into pieces VK accepts."""

from __future__ import annotations

MAX_MESSAGE_LENGTH = 4096


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters, preferring a line break, then
    a space, in the second half of each part. An empty text is one empty part."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", limit // 2, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", limit // 2, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    parts.append(rest)
    return parts
