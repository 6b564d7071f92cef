"""Looking for a person's traces in a database: in every row of every table, and (SQLite) in
the raw bytes of the database file and its write-ahead log.

A word can sit in the database in several shapes: as written, lowercased, as its search stem
(FTS5 keeps stems), and inside JSON, where SQLite's JSON text escapes non-ASCII letters. An
id is looked for as its decimal digits and, in the file, as the big-endian bytes SQLite
stores integers in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url

from storage.database import Storage
from storage.stems import stems


def word_shapes(word: str) -> set[str]:
    shapes = {word, word.lower(), *stems(word)}
    return shapes | {json.dumps(shape)[1:-1] for shape in shapes}


def id_bytes(number: int) -> bytes:
    """The id as SQLite stores an integer of its size in a record: big-endian, in the fewest
    bytes that hold it (ids here are chosen to need 6)."""
    width = max(1, (number.bit_length() + 8) // 8)
    return number.to_bytes(width, "big", signed=True)


def _table_names(connection: Connection) -> list[str]:
    names = inspect(connection).get_table_names()
    if connection.dialect.name == "sqlite":
        # Virtual tables (FTS5) and their shadow tables are listed too.
        rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
        names = sorted({*names, *(row[0] for row in rows)})
    return names


def _cell(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


async def table_text(storage: Storage) -> dict[str, str]:
    """Every table's rows as text, by table name."""
    async with storage.engine.connect() as conn:
        names = await conn.run_sync(_table_names)
        dump = {}
        for name in names:
            rows = await conn.execute(text(f'SELECT * FROM "{name}"'))
            dump[name] = "\n".join(" | ".join(_cell(value) for value in row) for row in rows)
    return dump


def tables_holding(dump: dict[str, str], words: Iterable[str], ids: Iterable[int]) -> set[str]:
    """``table: shape`` for each word or id found in a table."""
    found = set()
    for name, content in dump.items():
        lowered = content.lower()
        for word in words:
            found |= {f"{name}: {s}" for s in word_shapes(word) if s.lower() in lowered}
        found |= {f"{name}: {number}" for number in ids if str(number) in content}
    return found


def database_files(storage: Storage) -> list[Path]:
    database = make_url(str(storage.engine.url)).database
    assert database, "a SQLite file database"
    main = Path(database)
    return [main, main.with_name(main.name + "-wal")]


def file_bytes(storage: Storage) -> bytes:
    return b"".join(path.read_bytes() for path in database_files(storage) if path.exists())


def bytes_holding(raw: bytes, words: Iterable[str], ids: Iterable[int]) -> set[str]:
    """Each word shape or id shape found in ``raw``."""
    found = {s for word in words for s in word_shapes(word) if s.encode() in raw}
    for number in ids:
        found |= {str(number)} if str(number).encode() in raw else set()
        found |= {repr(id_bytes(number))} if id_bytes(number) in raw else set()
    return found
