"""The texts of digests and exhibitions, built from arrivals in the library's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from handlers.core.i18n import Translator
from handlers.publishing.arrivals import Arrival
from handlers.publishing.posts import Image, Post

DESCRIPTION_LIMIT = 300
"""A short description in a list; the catalogue record has the rest."""


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,.;:") + "…"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, line breaks kept."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def citation(arrival: Arrival) -> str:
    """«Иванов И. И., Петров П. П. Кардиология (2026)»."""
    authors = ", ".join(a for a in arrival.authors if a.strip())
    title = arrival.title.strip()
    head = f"{authors.rstrip('.')}. {title}" if authors else title
    return f"{head} ({arrival.year})" if arrival.year else head


def entry(number: int, arrival: Arrival) -> str:
    line = f"{number}. {citation(arrival)}"
    description = shorten(arrival.description, DESCRIPTION_LIMIT)
    return f"{line}\n{description}" if description else line


def covers(arrivals: Sequence[Arrival]) -> tuple[Image, ...]:
    return tuple(
        replace(a.cover, caption=shorten(citation(a), 200)) for a in arrivals if a.cover is not None
    )


def digest_post(t: Translator, arrivals: Sequence[Arrival]) -> Post:
    lines = [t("pub-digest-title", count=len(arrivals))]
    lines += [entry(number, a) for number, a in enumerate(arrivals, 1)]
    return Post(text="\n\n".join(lines), images=covers(arrivals))


def exhibition_post(t: Translator, title: str, arrivals: Sequence[Arrival]) -> Post:
    lines = [t("pub-exhibition-title", title=title.strip())]
    lines += [entry(number, a) for number, a in enumerate(arrivals, 1)]
    return Post(text="\n\n".join(lines), images=covers(arrivals))
