"""Bulk loading of the search benchmark's corpus: tickets, their messages and the search
index, in transactions of tens of thousands of rows, as the repositories would store them
one by one (on SQLite the FTS5 rows carry the same stems; PostgreSQL computes its stored
vectors itself, and its GIN indexes are built once at the end rather than row by row)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bench.search_corpus import Vocabulary
from storage.schema import TICKET_SEARCH_TABLE, readers, ticket_messages, tickets
from storage.search import FIELDS

BATCH = 20_000
START = datetime(2024, 1, 1, tzinfo=UTC)
STEP = timedelta(minutes=1)
_GIN_INDEXES = (
    ("ix_ticket_messages_text_fts", "ticket_messages"),
    ("ix_tickets_fields_fts", "tickets"),
)
_FTS_INSERT = text(
    f"INSERT INTO {TICKET_SEARCH_TABLE} (stems, ticket_id, message_id) "
    "VALUES (:stems, :ticket_id, :message_id)"
)


async def load(engine: AsyncEngine, vocabulary: Vocabulary, messages: int) -> None:
    """Store ``messages`` ticket messages, about five to a ticket, into an empty schema."""
    rng = random.Random(len(vocabulary.tail))
    sqlite = engine.dialect.name == "sqlite"
    async with engine.begin() as conn:
        if not sqlite:
            for index, _ in _GIN_INDEXES:
                await conn.execute(text(f"DROP INDEX {index}"))
        await conn.execute(insert(readers), [_reader()])
    ticket_id = 0
    stored = 0
    while stored < messages:
        ticket_rows: list[dict[str, Any]] = []
        message_rows: list[dict[str, Any]] = []
        index_rows: list[dict[str, Any]] = []
        while len(message_rows) < BATCH and stored + len(message_rows) < messages:
            ticket_id += 1
            at = START + STEP * (stored + len(message_rows))
            topic = vocabulary.topic()
            ticket_rows.append(_ticket(ticket_id, topic[0], at))
            index_rows.append({"stems": topic[1], "ticket_id": ticket_id, "message_id": FIELDS})
            for _ in range(rng.randint(1, 9)):
                message_id = stored + len(message_rows) + 1
                body, stems = vocabulary.message()
                message_rows.append(
                    _message(message_id, ticket_id, body, START + STEP * message_id)
                )
                index_rows.append(
                    {"stems": stems, "ticket_id": ticket_id, "message_id": message_id}
                )
                if stored + len(message_rows) == messages:
                    break
        async with engine.begin() as conn:
            await _store(conn, ticket_rows, message_rows, index_rows if sqlite else [])
        stored += len(message_rows)
    async with engine.begin() as conn:
        if not sqlite:
            await conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
            for index, table in _GIN_INDEXES:
                await conn.execute(
                    text(f"CREATE INDEX {index} ON {table} USING gin (search_vector)")
                )
            await conn.execute(text("ANALYZE"))


async def _store(
    conn: AsyncConnection,
    ticket_rows: list[dict[str, Any]],
    message_rows: list[dict[str, Any]],
    index_rows: list[dict[str, Any]],
) -> None:
    if conn.dialect.name == "sqlite":
        await conn.execute(text("PRAGMA synchronous=OFF"))
    await conn.execute(insert(tickets), ticket_rows)
    await conn.execute(insert(ticket_messages), message_rows)
    if index_rows:
        await conn.execute(_FTS_INSERT, index_rows)


def _reader() -> dict[str, Any]:
    return {
        "id": 1,
        "platform": "telegram",
        "peer_id": 1,
        "language": "ru",
        "consent": "given",
        "consent_at": START,
        "display_name": "Читатель",
        "reachable": True,
        "created_at": START,
        "updated_at": START,
    }


def _ticket(ticket_id: int, topic: str, at: datetime) -> dict[str, Any]:
    return {
        "id": ticket_id,
        "reader_id": 1,
        "kind": "thematic",
        "status": "closed",
        "fields": {"topic": topic},
        "deadline_at": at + timedelta(days=3),
        "created_at": at,
        "updated_at": at,
    }


def _message(message_id: int, ticket_id: int, body: str, at: datetime) -> dict[str, Any]:
    return {
        "id": message_id,
        "ticket_id": ticket_id,
        "kind": "reader",
        "text": body,
        "attachments": [],
        "created_at": at,
    }
