"""Full-text search over tickets: one entry point, one implementation per dialect.

- SQLite has no Russian stemmer, so the repositories keep the FTS5 table ``ticket_search``
  filled with Snowball stems (:mod:`storage.stems`): one row per ticket message with text,
  and one row per ticket for its form fields (``message_id`` 0). Queries are stemmed the
  same way and ranked by ``bm25``.
- PostgreSQL searches the tables themselves with ``to_tsvector('russian', …)``, which the
  GIN expression indexes of migration 0002 serve, ranked by ``ts_rank``.

Either way a query is reduced to its words (stop words dropped) and every word must match,
in any of its forms. Snippets are cut in Python from the stored text on both backends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import SearchHit
from storage.schema import TICKET_SEARCH_TABLE, ticket_messages, tickets
from storage.stems import field_text, query_stems, snippet, stems

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

_SQLITE_SEARCH = text(
    f"SELECT ticket_id, message_id FROM {TICKET_SEARCH_TABLE} "
    f"WHERE {TICKET_SEARCH_TABLE} MATCH :query "
    f"ORDER BY bm25({TICKET_SEARCH_TABLE}), ticket_id DESC, message_id LIMIT :limit"
)

_POSTGRES_SEARCH = text(
    """
    WITH q AS (SELECT plainto_tsquery('russian', :query) AS query)
    SELECT ticket_id, message_id FROM (
        SELECT m.ticket_id, m.id AS message_id,
               ts_rank(to_tsvector('russian', coalesce(m.text, '')), q.query) AS rank
        FROM ticket_messages AS m, q
        WHERE to_tsvector('russian', coalesce(m.text, '')) @@ q.query
        UNION ALL
        SELECT t.id, 0, ts_rank(to_tsvector('russian', t.fields), q.query)
        FROM tickets AS t, q
        WHERE to_tsvector('russian', t.fields) @@ q.query
    ) AS hits
    ORDER BY rank DESC, ticket_id DESC, message_id
    LIMIT :limit
    """
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


async def search(conn: AsyncConnection, query: str, limit: int) -> list[SearchHit]:
    """Hits for ``query``, best first (see the module docstring); never raises for what the
    query says, however hostile: only its words reach the database."""
    wanted = query_stems(query)
    if not wanted or limit <= 0:
        return []
    if _is_sqlite(conn):
        match = match_expression(wanted)
        result = await conn.execute(_SQLITE_SEARCH, {"query": match, "limit": limit})
    else:
        words = " ".join(wanted)
        result = await conn.execute(_POSTGRES_SEARCH, {"query": words, "limit": limit})
    ranked = [(int(row.ticket_id), int(row.message_id)) for row in result]
    return await _hits(conn, ranked, wanted)


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
