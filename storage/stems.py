"""Words and their stems, for full-text search where the database has no Russian stemmer.

Cyrillic words go through the Snowball Russian stemmer and Latin words through the English
one (what PostgreSQL's ``russian`` configuration does too), so «книга», «книги» and «книгу»
all become «книг». Everything is lowercased and «ё» is read as «е».
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import Stemmer

WORD = re.compile(r"[^\W_]+")
"""A run of letters and digits: anything else, quotes and FTS operators included, separates."""

CYRILLIC = re.compile(r"[а-яё]")
LATIN = re.compile(r"[a-z]")

MAX_QUERY_WORDS = 32
"""Longer queries are cut: more words would only narrow an AND search to nothing."""

SNIPPET_WIDTH = 200

_STOP_WORDS_TEXT = """
    а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да
    даже для до его ее ей ему если есть еще же за здесь и из или им их к как какой когда
    кто ли либо между меня мне мы на над надо нас не него нее нет ни них но ну о об однако
    он она они оно от перед по под после при про с со так также такой там те тем то того
    тоже только том ты у уже хоть чего чем что чтобы эта эти это этого этой этом этот эту я
    a about above after again against all am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our out over own same
    she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom
    why will with would you your
"""

STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
"""Function words a query ignores, as PostgreSQL's stop lists do, so that «статьи о диабете»
needs «статьи» and «диабете», not «о»."""


# PyStemmer: the Snowball stemmers compiled to C, the same stems as the pure-Python
# snowballstemmer package, which imports its 36 languages' stemmers at once (about 2.5 MiB of
# the bot's memory for the two used here) and stems several times slower. Their own caches
# are off: :func:`stem` has one.
@lru_cache(maxsize=2)
def _stemmer(language: str) -> Stemmer.Stemmer:
    # Imported on first use: the extension is 0.7 MiB of an idle bot's memory (python -m
    # bench.memory), and a bot stems nothing until someone writes or searches.
    import Stemmer

    return Stemmer.Stemmer(language, 0)


STEM_CACHE_SIZE = 8192
"""Words whose stems are kept. Reader texts follow Zipf's law, so the most frequent few
thousand words make most hits; a miss costs a few microseconds. (It was 65,536: about 13 MiB
once full, filled by every new name and typo readers write.)"""


def stem(word: str) -> str:
    """The stem of one word (already matched by :data:`WORD`), lowercased."""
    # Normalised before the cache, so «Книга», «книга» and «КНИГА» take one of its places.
    return _stem_of_lowered(word.lower().replace("ё", "е"))


@lru_cache(maxsize=STEM_CACHE_SIZE)
def _stem_of_lowered(lowered: str) -> str:
    if CYRILLIC.search(lowered):
        result: str = _stemmer("russian").stemWord(lowered)
    elif LATIN.search(lowered):
        result = _stemmer("english").stemWord(lowered)
    else:
        result = lowered
    return result


def stems(text: str) -> list[str]:
    """The stems of every word in ``text``, in order."""
    return [stem(match.group()) for match in WORD.finditer(text)]


def query_stems(query: str) -> list[str]:
    """The distinct stems a search for ``query`` requires, stop words left out. Whatever
    the query holds (quotes, ``*``, ``NEAR``, ``OR``) only its words count."""
    return list(dict.fromkeys(stem(word) for word in query_words(query)))


def query_words(query: str) -> list[str]:
    """The words of ``query`` a search requires, as written but lowercased, stop words
    left out, one of each stem (the first 32 stems). PostgreSQL takes these rather than
    the stems: its ``russian`` configuration stems them itself, and a stem stemmed again
    can lose more letters («исследован» becomes «исследова») and match nothing."""
    words: dict[str, str] = {}
    for match in WORD.finditer(query):
        word = match.group().lower()
        if word.replace("ё", "е") in STOP_WORDS:
            continue
        words.setdefault(stem(word), word)
        if len(words) == MAX_QUERY_WORDS:
            break
    return list(words.values())


def field_text(fields: Mapping[str, Any]) -> str:
    """The searchable text of a ticket's form: its string answers, nested ones included (the
    values PostgreSQL's ``to_tsvector(jsonb)`` reads), separated by «; »."""
    return "; ".join(_strings(fields.values()))


def _strings(values: Iterable[Any]) -> Iterator[str]:
    for value in values:
        if isinstance(value, str):
            if value.strip():
                yield value
        elif isinstance(value, Mapping):
            yield from _strings(value.values())
        elif isinstance(value, Sequence):
            yield from _strings(value)


def snippet(text: str, wanted: Iterable[str], width: int = SNIPPET_WIDTH) -> str:
    """At most ``width`` characters of ``text`` around the first word whose stem is in
    ``wanted`` (from the start when none is), whitespace collapsed, cut at word boundaries
    and marked with «…» where it was cut."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    targets = set(wanted)
    centre = next(
        (match.start() for match in WORD.finditer(flat) if stem(match.group()) in targets), 0
    )
    room = width - 2
    start = max(0, min(centre - room // 3, len(flat) - room))
    end = start + room
    if start > 0:
        space = flat.find(" ", start, centre)
        start = space + 1 if space != -1 else start
    if end < len(flat):
        space = flat.rfind(" ", max(start, centre), end)
        end = space if space != -1 else end
    return ("…" if start > 0 else "") + flat[start:end].strip() + ("…" if end < len(flat) else "")
