"""Full-text search over tickets: one entry point, one implementation per dialect.

- SQLite has no Russian stemmer, so the repositories keep the FTS5 table ``ticket_search``
  filled with Snowball stems (:mod:`storage.stems`): one row per ticket message with text,
  and one row per ticket for its form fields (``message_id`` 0). Queries are stemmed the
  same way and ranked by ``bm25``.
- PostgreSQL keeps ``to_tsvector('russian', …)`` of each message and form in a stored
  ``search_vector`` column with a GIN index (migration 0013), ranked by ``ts_rank``. It is
  given the query's words, not their stems: it stems them itself.

Either way a query is reduced to its words (stop words dropped) and every word must match,
in any of its forms. Only the newest :data:`RANK_WINDOW` matches are ranked (see
:func:`search`). Snippets are cut in Python from the stored text on both backends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import SearchHit, SearchResults
from storage.schema import TICKET_SEARCH_TABLE, ticket_messages, tickets
from storage.stems import field_text, query_stems, query_words, snippet, stems

FIELDS = 0
"""The ``message_id`` of a hit in a ticket's form fields rather than in one of its messages."""

_SQLITE_INSERT = text(
    f"INSERT INTO {TICKET_SEARCH_TABLE} (stems, ticket_id, message_id) "
    "VALUES (:stems, :ticket_id, :message_id)"
)

_SQLITE_FORGET = text(
    f"DELETE FROM {TICKET_SEARCH_TABLE} WHERE ticket_id IN :ticket_ids"
).bindparams(bindparam("ticket_ids", expanding=True))

_SQLITE_OPTIMIZE = text(
    f"INSERT INTO {TICKET_SEARCH_TABLE} ({TICKET_SEARCH_TABLE}) VALUES ('optimize')"
)

RANK_WINDOW = 500
"""How many of the newest matches a search ranks; see :func:`search`."""

# Both queries take the newest window + 1 matches (one more, to learn whether older ones
# exist), number them newest first, keep the newest window and rank only those. The rank is
# ascending on both: bm25 is negative, ts_rank is negated.
_RANK_RECENT = """
    SELECT ticket_id, message_id, matched
    FROM (
        SELECT ticket_id, message_id, rank, count(*) OVER () AS matched,
               row_number() OVER (ORDER BY age DESC, message_id DESC) AS newest
        FROM ({recent}) AS recent
    ) AS numbered
    WHERE newest <= :window
    ORDER BY rank, ticket_id DESC, message_id
    LIMIT :limit
"""

_SQLITE_SEARCH = text(
    _RANK_RECENT.format(
        recent=f"SELECT ticket_id, message_id, bm25({TICKET_SEARCH_TABLE}) AS rank, rowid AS age "
        f"FROM {TICKET_SEARCH_TABLE} WHERE {TICKET_SEARCH_TABLE} MATCH :query "
        "ORDER BY rowid DESC LIMIT :window + 1"
    )
)

# The tsquery is written out in each subquery, not shared through a CTE, so that the planner
# sees the words and estimates how many rows match: a common word is then read backwards
# along the primary key until the window is full, a rare one through the GIN index. The rank
# is computed above the LIMIT, for the window's rows only.
_POSTGRES_SEARCH = text(
    _RANK_RECENT.format(
        recent="""
        SELECT ticket_id, message_id, age,
               -ts_rank(vector, plainto_tsquery('russian', :query)) AS rank
        FROM (
            SELECT ticket_id, id AS message_id, created_at AS age, search_vector AS vector
            FROM ticket_messages
            WHERE search_vector @@ plainto_tsquery('russian', :query)
            ORDER BY id DESC LIMIT :window + 1
        ) AS messages
        UNION ALL
        SELECT ticket_id, message_id, age,
               -ts_rank(vector, plainto_tsquery('russian', :query))
        FROM (
            SELECT id AS ticket_id, 0 AS message_id, created_at AS age, search_vector AS vector
            FROM tickets
            WHERE search_vector @@ plainto_tsquery('russian', :query)
            ORDER BY id DESC LIMIT :window + 1
        ) AS forms
        """
    )
)


def match_expression(wanted: Sequence[str]) -> str:
    """The FTS5 query requiring every stem: each one quoted, so that none reads as an
    operator (stems are letters and digits only, so they hold no quote to escape)."""
    return " ".join(f'"{word}"' for word in wanted)


def _is_sqlite(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "sqlite"


async def index_fields(conn: AsyncConnection, ticket_id: int, fields: Mapping[str, Any]) -> None:
    """Make a new ticket's form fields searchable (in the caller's transaction)."""
    await _index(conn, ticket_id, FIELDS, field_text(fields))


async def index_message(
    conn: AsyncConnection, ticket_id: int, message_id: int, body: str | None
) -> None:
    """Make a new ticket message searchable (in the caller's transaction)."""
    await _index(conn, ticket_id, message_id, body or "")


async def _index(conn: AsyncConnection, ticket_id: int, message_id: int, body: str) -> None:
    words = stems(body)
    if words and _is_sqlite(conn):
        await conn.execute(
            _SQLITE_INSERT,
            {"stems": " ".join(words), "ticket_id": ticket_id, "message_id": message_id},
        )


async def forget_tickets(conn: AsyncConnection, ticket_ids: Sequence[int]) -> None:
    """Drop the searchable text of these tickets (in the caller's transaction). The FTS5
    table is no foreign-key child, so no cascade reaches it.

    FTS5 records a deletion as a marker in a new index segment and keeps the old segment,
    with the deleted words, until segments are merged; ``optimize`` merges them all now, so
    no stem of the erased text is left in the index."""
    if ticket_ids and _is_sqlite(conn):
        await conn.execute(_SQLITE_FORGET, {"ticket_ids": list(ticket_ids)})
        await conn.execute(_SQLITE_OPTIMIZE)


async def search(
    conn: AsyncConnection, query: str, limit: int, window: int = RANK_WINDOW
) -> SearchResults:
    """The best ``limit`` hits for ``query`` among its newest ``window`` matches; never
    raises for what the query says, however hostile: only its words reach the database.

    Ranking scores every row it sorts, so ranking all matches of a common word (100,000 in a
    million messages) takes up to a second; the newest matches come straight from
    the index in order, so only ``window`` rows are ever scored. Staff mostly look for recent
    conversations, and the reply says when older matches were left out, so that a more
    specific query can reach them.
    """
    words = query_words(query)
    if not words or limit <= 0 or window <= 0:
        return SearchResults([], 0, more=False)
    wanted = query_stems(query)
    if _is_sqlite(conn):
        arguments = {"query": match_expression(wanted), "limit": limit, "window": window}
        result = await conn.execute(_SQLITE_SEARCH, arguments)
    else:
        arguments = {"query": " ".join(words), "limit": limit, "window": window}
        result = await conn.execute(_POSTGRES_SEARCH, arguments)
    rows = result.all()
    matched = int(rows[0].matched) if rows else 0
    ranked = [(int(row.ticket_id), int(row.message_id)) for row in rows]
    hits = await _hits(conn, ranked, wanted)
    return SearchResults(hits, min(matched, window), more=matched > window)


async def _hits(
    conn: AsyncConnection, ranked: list[tuple[int, int]], wanted: list[str]
) -> list[SearchHit]:
    message_ids = [message_id for _, message_id in ranked if message_id != FIELDS]
    ticket_ids = [ticket_id for ticket_id, message_id in ranked if message_id == FIELDS]
    bodies: dict[int, str] = {}
    forms: dict[int, str] = {}
    if message_ids:
        rows = await conn.execute(
            select(ticket_messages.c.id, ticket_messages.c.text).where(
                ticket_messages.c.id.in_(bindparam("ids", expanding=True))
            ),
            {"ids": message_ids},
        )
        bodies = {row.id: row.text or "" for row in rows}
    if ticket_ids:
        rows = await conn.execute(
            select(tickets.c.id, tickets.c.fields).where(
                tickets.c.id.in_(bindparam("ids", expanding=True))
            ),
            {"ids": ticket_ids},
        )
        forms = {row.id: field_text(row.fields) for row in rows}
    hits = []
    for ticket_id, message_id in ranked:
        body = bodies.get(message_id) if message_id != FIELDS else forms.get(ticket_id)
        if body is not None:
            hits.append(SearchHit(ticket_id, message_id, snippet(body, wanted)))
    return hits
