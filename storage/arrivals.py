"""New arrivals in SQL: storing with de-duplication, pages, subjects, "added since", and
full-text search with Russian word forms (FTS5 with Snowball stems on SQLite, the
``russian`` text search configuration on PostgreSQL, as for tickets in
:mod:`storage.search`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, bindparam, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.arrival_models import Arrival, ArrivalPage, ArrivalRecord, FeedState, Outcome
from storage.connectable import Connectable
from storage.schema import ARRIVAL_SEARCH_TABLE, arrival_feeds, arrival_isbns, arrival_subjects
from storage.schema import arrivals as arrivals_table
from storage.search import match_expression
from storage.stems import MAX_QUERY_WORDS, STOP_WORDS, WORD, query_stems, stems
from storage.types import Clock, utcnow

TITLE_KEY_LENGTH = 255

_T = TypeVar("_T")

_SQLITE_INSERT = text(
    f"INSERT INTO {ARRIVAL_SEARCH_TABLE} (stems, arrival_id) VALUES (:stems, :arrival_id)"
)
_SQLITE_DELETE = text(f"DELETE FROM {ARRIVAL_SEARCH_TABLE} WHERE arrival_id = :arrival_id")
_SQLITE_SEARCH = text(
    f"SELECT arrival_id FROM {ARRIVAL_SEARCH_TABLE} WHERE {ARRIVAL_SEARCH_TABLE} MATCH :query "
    f"ORDER BY bm25({ARRIVAL_SEARCH_TABLE}), arrival_id DESC LIMIT :limit"
)
_POSTGRES_SEARCH = text(
    """
    SELECT id AS arrival_id FROM arrivals, plainto_tsquery('russian', :query) AS q
    WHERE to_tsvector('russian', search_text) @@ q
    ORDER BY ts_rank(to_tsvector('russian', search_text), q) DESC, id DESC
    LIMIT :limit
    """
)


def query_words(query: str) -> list[str]:
    """The query's words for PostgreSQL, which stems them itself (stemming a Snowball stem
    again can cut it further: «новорожден» becomes «новорожд»): lowercased, «ё» as «е», stop
    words left out, as many as :func:`storage.stems.query_stems` keeps."""
    words: dict[str, None] = {}
    for match in WORD.finditer(query):
        word = match.group().lower().replace("ё", "е")
        if word not in STOP_WORDS:
            words.setdefault(word)
        if len(words) == MAX_QUERY_WORDS:
            break
    return list(words)


def title_key(title: str) -> str:
    """The title as de-duplication compares it: its words, lowercased, «ё» read as «е»."""
    words = (match.group().lower().replace("ё", "е") for match in WORD.finditer(title))
    return " ".join(words)[:TITLE_KEY_LENGTH]


def search_text(record: ArrivalRecord) -> str:
    """What full-text search reads of an arrival, «ё» written «е»: PostgreSQL's ``russian``
    configuration tells them apart, and readers rarely type «ё»."""
    parts = [record.title, *record.authors, record.description or "", *record.headings]
    return "\n".join(part for part in parts if part).replace("ё", "е").replace("Ё", "Е")


def merged(old: ArrivalRecord, new: ArrivalRecord) -> ArrivalRecord:
    """The stored record after ``new`` turned out to be the same publication.

    A re-import from the arrival's own source updates it: what the new record knows
    replaces the old value (a title that differs only in case, spaces or punctuation stays
    as it was). A record from another source only fills the gaps, so that two catalogues
    describing one book do not overwrite each other at every import. Either way ISBNs,
    headings and subjects are united, and the arrival keeps the source and control number
    it was first imported by."""
    own = new.source == old.source

    def pick(old_value: _T, new_value: _T) -> _T:
        return (new_value or old_value) if own else (old_value or new_value)

    same_title = title_key(new.title) == title_key(old.title)
    return replace(
        old,
        title=old.title if same_title or not own else new.title,
        authors=pick(old.authors, new.authors),
        publisher=pick(old.publisher, new.publisher),
        place=pick(old.place, new.place),
        year=pick(old.year, new.year),
        isbns=_union(old.isbns, new.isbns),
        control_number=old.control_number or new.control_number,
        description=pick(old.description, new.description),
        cover=pick(old.cover, new.cover),
        headings=_union(old.headings, new.headings),
        subjects=_union(old.subjects, new.subjects),
    )


def _union(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*old, *new)))


def _record(values: Any) -> ArrivalRecord:
    return ArrivalRecord(
        title=values["title"],
        source=values["source"],
        authors=tuple(values["authors"]),
        publisher=values["publisher"],
        place=values["place"],
        year=values["year"],
        isbns=tuple(values["isbns"]),
        control_number=values["control_number"],
        description=values["description"],
        cover=values["cover"],
        headings=tuple(values["headings"]),
        subjects=tuple(values["subjects"]),
    )


def _arrival(row: Row[Any]) -> Arrival:
    values = row._mapping
    return Arrival(
        id=values["id"],
        record=_record(values),
        added_at=values["added_at"],
        updated_at=values["updated_at"],
    )


def _columns(record: ArrivalRecord) -> dict[str, Any]:
    return {
        "title": record.title,
        "title_key": title_key(record.title),
        "authors": list(record.authors),
        "publisher": record.publisher,
        "place": record.place,
        "year": record.year,
        "isbns": list(record.isbns),
        "source": record.source,
        "control_number": record.control_number,
        "description": record.description,
        "cover": record.cover,
        "headings": list(record.headings),
        "subjects": list(record.subjects),
        "search_text": search_text(record),
    }


class ArrivalRepository:
    """Arrivals stored in SQL; satisfies ``handlers.arrivals.ports.Arrivals``."""

    def __init__(self, engine: AsyncEngine | Connectable, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    async def store(self, record: ArrivalRecord) -> tuple[Outcome, Arrival]:
        """Add ``record``, or update the arrival it duplicates: one with any of its ISBNs
        (ISBN-10 and -13 alike, as both are stored as ISBN-13), else one with its source and
        control number, else one with its normalised title and year."""
        async with self._engine.begin() as conn:
            existing = await self._duplicate_of(conn, record)
            if existing is None:
                return Outcome.ADDED, await self._insert(conn, record)
            combined = merged(existing.record, record)
            if combined == existing.record:
                return Outcome.DUPLICATE, existing
            return Outcome.UPDATED, await self._update(conn, existing, combined)

    async def _duplicate_of(self, conn: AsyncConnection, record: ArrivalRecord) -> Arrival | None:
        table = arrivals_table
        candidates: list[ColumnElement[bool]] = []
        if record.isbns:
            candidates.append(
                table.c.id.in_(
                    select(arrival_isbns.c.arrival_id).where(
                        arrival_isbns.c.isbn.in_(list(record.isbns))
                    )
                )
            )
        if record.control_number:
            candidates.append(
                (table.c.source == record.source)
                & (table.c.control_number == record.control_number)
            )
        key = title_key(record.title)
        year = table.c.year.is_(None) if record.year is None else table.c.year == record.year
        candidates.append((table.c.title_key == key) & year)
        for condition in candidates:
            row = (
                await conn.execute(select(table).where(condition).order_by(table.c.id).limit(1))
            ).first()
            if row is not None:
                return _arrival(row)
        return None

    async def _insert(self, conn: AsyncConnection, record: ArrivalRecord) -> Arrival:
        now = self._clock()
        row = (
            await conn.execute(
                insert(arrivals_table)
                .values(**_columns(record), added_at=now, updated_at=now)
                .returning(*arrivals_table.c)
            )
        ).one()
        arrival = _arrival(row)
        await self._link(conn, arrival, record.isbns, record.subjects)
        await self._index(conn, arrival.id, record, fresh=True)
        return arrival

    async def _update(
        self, conn: AsyncConnection, existing: Arrival, record: ArrivalRecord
    ) -> Arrival:
        row = (
            await conn.execute(
                update(arrivals_table)
                .where(arrivals_table.c.id == existing.id)
                .values(**_columns(record), updated_at=self._clock())
                .returning(*arrivals_table.c)
            )
        ).one()
        arrival = _arrival(row)
        new_isbns = tuple(i for i in record.isbns if i not in existing.record.isbns)
        new_subjects = tuple(s for s in record.subjects if s not in existing.record.subjects)
        await self._link(conn, arrival, new_isbns, new_subjects)
        await self._index(conn, arrival.id, record, fresh=False)
        return arrival

    async def _link(
        self,
        conn: AsyncConnection,
        arrival: Arrival,
        isbns: Sequence[str],
        subjects: Sequence[str],
    ) -> None:
        if isbns:
            # An ISBN another arrival already holds stays with it (the first one wins).
            taken = set(
                (
                    await conn.execute(
                        select(arrival_isbns.c.isbn).where(arrival_isbns.c.isbn.in_(list(isbns)))
                    )
                ).scalars()
            )
            rows = [{"isbn": i, "arrival_id": arrival.id} for i in isbns if i not in taken]
            if rows:
                await conn.execute(insert(arrival_isbns), rows)
        if subjects:
            await conn.execute(
                insert(arrival_subjects),
                [
                    {"arrival_id": arrival.id, "subject": code, "added_at": arrival.added_at}
                    for code in subjects
                ],
            )

    @staticmethod
    async def _index(
        conn: AsyncConnection, arrival_id: int, record: ArrivalRecord, *, fresh: bool
    ) -> None:
        if conn.dialect.name != "sqlite":
            return  # PostgreSQL reads the search_text column through its GIN index.
        if not fresh:
            await conn.execute(_SQLITE_DELETE, {"arrival_id": arrival_id})
        words = stems(search_text(record))
        if words:
            await conn.execute(_SQLITE_INSERT, {"stems": " ".join(words), "arrival_id": arrival_id})

    async def get(self, arrival_id: int) -> Arrival | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(arrivals_table).where(arrivals_table.c.id == arrival_id))
            ).first()
        return _arrival(row) if row else None

    async def latest(self, offset: int, limit: int, subject: str | None = None) -> ArrivalPage:
        """A page of arrivals, newest first; only those of library subject ``subject`` when
        given."""
        table = arrivals_table
        condition = (
            table.c.id.in_(
                select(arrival_subjects.c.arrival_id).where(arrival_subjects.c.subject == subject)
            )
            if subject is not None
            else None
        )
        listing = select(table).order_by(table.c.added_at.desc(), table.c.id.desc())
        counting = select(func.count()).select_from(table)
        if condition is not None:
            listing = listing.where(condition)
            counting = counting.where(condition)
        async with self._engine.connect() as conn:
            total = int((await conn.execute(counting)).scalar_one())
            rows = await conn.execute(listing.offset(max(offset, 0)).limit(max(limit, 0)))
            return ArrivalPage([_arrival(row) for row in rows], total)

    async def added_since(
        self, moment: datetime, subjects: Collection[str] | None = None, limit: int = 1000
    ) -> list[Arrival]:
        """Arrivals added after ``moment``, oldest first; only those with one of ``subjects``
        when given (served by the ``(subject, added_at)`` index)."""
        table = arrivals_table
        statement = select(table).where(table.c.added_at > moment)
        if subjects is not None:
            statement = statement.where(
                table.c.id.in_(
                    select(arrival_subjects.c.arrival_id).where(
                        arrival_subjects.c.subject.in_(list(subjects)),
                        arrival_subjects.c.added_at > moment,
                    )
                )
            )
        statement = statement.order_by(table.c.added_at, table.c.id).limit(limit)
        async with self._engine.connect() as conn:
            return [_arrival(row) for row in await conn.execute(statement)]

    async def added_between(self, start: datetime, end: datetime) -> list[Arrival]:
        """Arrivals first added in [start, end), oldest first: what one digest announces."""
        table = arrivals_table
        statement = (
            select(table)
            .where(table.c.added_at >= start, table.c.added_at < end)
            .order_by(table.c.added_at, table.c.id)
        )
        async with self._engine.connect() as conn:
            return [_arrival(row) for row in await conn.execute(statement)]

    async def after(
        self, last_id: int, up_to: int | None = None, limit: int = 1000
    ) -> list[Arrival]:
        """Arrivals numbered above ``last_id`` (and at most ``up_to`` when given), in the
        order they were added: what personal digests have not covered yet."""
        table = arrivals_table
        statement = select(table).where(table.c.id > last_id)
        if up_to is not None:
            statement = statement.where(table.c.id <= up_to)
        statement = statement.order_by(table.c.id).limit(limit)
        async with self._engine.connect() as conn:
            return [_arrival(row) for row in await conn.execute(statement)]

    async def newest_id(self) -> int:
        """The highest arrival number so far (0 when there are none)."""
        async with self._engine.connect() as conn:
            found = (await conn.execute(select(func.max(arrivals_table.c.id)))).scalar_one()
        return int(found or 0)

    async def subject_counts(self) -> dict[str, int]:
        """How many arrivals each library subject has."""
        statement = select(arrival_subjects.c.subject, func.count()).group_by(
            arrival_subjects.c.subject
        )
        async with self._engine.connect() as conn:
            return {row[0]: int(row[1]) for row in await conn.execute(statement)}

    async def search(self, query: str, limit: int) -> list[Arrival]:
        """Arrivals whose title, authors, description or subject headings hold every word of
        ``query`` in any of its forms, best first. Only the query's words reach the
        database, so no query can fail."""
        wanted = query_stems(query)
        if not wanted or limit <= 0:
            return []
        async with self._engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                result = await conn.execute(
                    _SQLITE_SEARCH, {"query": match_expression(wanted), "limit": limit}
                )
            else:
                result = await conn.execute(
                    _POSTGRES_SEARCH, {"query": " ".join(query_words(query)), "limit": limit}
                )
            ranked = [int(row.arrival_id) for row in result]
            if not ranked:
                return []
            rows = await conn.execute(
                select(arrivals_table).where(
                    arrivals_table.c.id.in_(bindparam("ids", expanding=True))
                ),
                {"ids": ranked},
            )
            found = {row.id: _arrival(row) for row in rows}
        return [found[i] for i in ranked if i in found]

    async def feed_state(self, url: str) -> FeedState:
        """The validators the feed at ``url`` sent last time (none for a new feed)."""
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(arrival_feeds).where(arrival_feeds.c.url == url))
            ).first()
        if row is None:
            return FeedState()
        return FeedState(etag=row.etag, last_modified=row.last_modified)

    async def save_feed_state(self, url: str, state: FeedState) -> None:
        values = {
            "etag": state.etag,
            "last_modified": state.last_modified,
            "checked_at": self._clock(),
        }
        async with self._engine.begin() as conn:
            changed = await conn.execute(
                update(arrival_feeds).where(arrival_feeds.c.url == url).values(**values)
            )
            if changed.rowcount == 0:
                await conn.execute(insert(arrival_feeds).values(url=url, **values))

    async def delete(self, arrival_id: int) -> bool:
        """Remove an arrival (with its ISBNs, subjects and search entry)."""
        async with self._engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                await conn.execute(_SQLITE_DELETE, {"arrival_id": arrival_id})
            result = await conn.execute(
                delete(arrivals_table).where(arrivals_table.c.id == arrival_id)
            )
        return result.rowcount > 0
