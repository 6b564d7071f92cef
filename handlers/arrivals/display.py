"""How an arrival reads in a list: number, title, authors, year and subjects."""

from __future__ import annotations

from handlers.arrivals.subjects import SubjectMap
from handlers.core.i18n import Translator
from storage.arrival_models import Arrival

TITLE_LIMIT = 200
AUTHORS_SHOWN = 3
HEADINGS_SHOWN = 3


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def entry(t: Translator, subjects: SubjectMap, number: int, arrival: Arrival) -> str:
    record = arrival.record
    lines = [t("arrivals-entry", number=number, title=shorten(record.title, TITLE_LIMIT))]
    if record.authors:
        authors = ", ".join(record.authors[:AUTHORS_SHOWN])
        if len(record.authors) > AUTHORS_SHOWN:
            authors = t("arrivals-entry-more-authors", authors=authors)
        lines.append(t("arrivals-entry-authors", authors=shorten(authors, TITLE_LIMIT)))
    if record.year:
        lines.append(t("arrivals-entry-year", year=record.year))
    names = subjects.names(record.subjects, t.language) or list(record.headings[:HEADINGS_SHOWN])
    if names:
        lines.append(t("arrivals-entry-subjects", subjects=shorten(", ".join(names), TITLE_LIMIT)))
    return "\n".join(lines)
