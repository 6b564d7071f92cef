"""RSS and Atom feeds of new acquisitions (Koha's OPAC gives one for any search), read with
feedparser."""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

from bot.arrivals.parsed import (
    MAX_DESCRIPTION,
    MAX_TITLE,
    Records,
    Unreadable,
    distinct,
    tidy,
)
from storage.arrival_models import ArrivalRecord, Reason, Rejection
from storage.isbn import normalise_all

_TAG = re.compile(r"<[^>]+>")
_ISBN = re.compile(r"ISBN[:\s]*((?:97[89][\s\-]?)?[\d\s\-]{9,13}[\dXx])", re.IGNORECASE)


def looks_like_feed(data: bytes) -> bool:
    head = data[:2048].lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def _plain(markup: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


def read_feed(data: bytes, source: str) -> Records:
    """Every entry of the feed as a record: its title, authors, summary (as plain text),
    categories as subject headings, ISBNs found in its identifiers or summary, and its id
    (or link) as the control number."""
    # Imported when a feed is read: most processes never read one.
    import feedparser  # type: ignore[import-untyped]

    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        raise Unreadable(Reason.BAD_FEED)
    for number, entry in enumerate(parsed.entries, start=1):
        record = _record(entry, source)
        yield record if record is not None else Rejection(number, Reason.NO_TITLE)


def _short_key(key: str) -> str:
    """The entry's id as a control number: itself when short, else its digest (long links
    that differ only at the end must stay apart)."""
    return key if len(key) <= 64 else hashlib.sha256(key.encode()).hexdigest()[:64]


def _record(entry: Any, source: str) -> ArrivalRecord | None:
    title = tidy(_plain(entry.get("title", "")), MAX_TITLE)
    if title is None:
        return None
    summary = _plain(entry.get("summary", ""))
    identifiers = [str(entry.get("dc_identifier", "")), str(entry.get("id", ""))]
    isbn_texts = [m.group(1) for text in (*identifiers, summary) for m in _ISBN.finditer(text)]
    isbn_texts += [i for i in identifiers if i.lower().startswith(("urn:isbn:", "isbn"))]
    authors = [a.get("name", "") for a in entry.get("authors", []) if isinstance(a, dict)]
    if not authors and entry.get("author"):
        authors = [entry["author"]]
    key = entry.get("id") or entry.get("link")
    cover = next(
        (
            link.get("href")
            for link in entry.get("links", [])
            if str(link.get("type", "")).startswith("image/")
        ),
        None,
    )
    return ArrivalRecord(
        title=title,
        source=source,
        authors=distinct(authors),
        publisher=tidy(entry.get("publisher")),
        isbns=normalise_all(isbn_texts),
        control_number=_short_key(str(key)) if key else None,
        description=tidy(summary, MAX_DESCRIPTION),
        cover=tidy(cover, 1000),
        headings=distinct(tag.get("term") for tag in entry.get("tags", []) or []),
    )
