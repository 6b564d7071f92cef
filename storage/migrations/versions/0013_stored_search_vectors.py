"""PostgreSQL full-text search reads a stored ``search_vector`` column (GIN-indexed) of each
ticket message and ticket form instead of an expression index, so that ranking the newest
matches reads the vector rather than parsing and stemming the text again for every row.
SQLite keeps its FTS5 table: nothing changes there.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VECTORS = (
    ("ticket_messages", "coalesce(text, '')", "ix_ticket_messages_text_fts"),
    ("tickets", "fields", "ix_tickets_fields_fts"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, source, index in _VECTORS:
        op.execute(f"DROP INDEX {index}")
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('russian', {source})) STORED"
        )
        op.execute(f"CREATE INDEX {index} ON {table} USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, source, index in _VECTORS:
        op.execute(f"DROP INDEX {index}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
        op.execute(f"CREATE INDEX {index} ON {table} USING gin (to_tsvector('russian', {source}))")
