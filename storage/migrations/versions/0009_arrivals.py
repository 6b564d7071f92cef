"""New arrivals: the arrivals with their ISBNs and library subjects, the polled feeds'
validators, and full-text search (FTS5 on SQLite, GIN on PostgreSQL).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of storage.types, so that later changes there cannot rewrite history.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "arrivals",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_key", sa.String(255), nullable=False),
        sa.Column("authors", Json, nullable=False),
        sa.Column("publisher", sa.String(255), nullable=True),
        sa.Column("place", sa.String(255), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("isbns", Json, nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("control_number", sa.String(64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("cover", sa.Text(), nullable=True),
        sa.Column("headings", Json, nullable=False),
        sa.Column("subjects", Json, nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("added_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_arrivals"),
    )
    op.create_index("ix_arrivals_added_at_id", "arrivals", ["added_at", "id"])
    op.create_index("ix_arrivals_source_control_number", "arrivals", ["source", "control_number"])
    op.create_index("ix_arrivals_title_key_year", "arrivals", ["title_key", "year"])
    op.create_table(
        "arrival_isbns",
        sa.Column("isbn", sa.String(13), nullable=False),
        sa.Column("arrival_id", Id, nullable=False),
        sa.PrimaryKeyConstraint("isbn", name="pk_arrival_isbns"),
        sa.ForeignKeyConstraint(
            ["arrival_id"],
            ["arrivals.id"],
            name="fk_arrival_isbns_arrival_id_arrivals",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_arrival_isbns_arrival_id", "arrival_isbns", ["arrival_id"])
    op.create_table(
        "arrival_subjects",
        sa.Column("arrival_id", Id, autoincrement=False, nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("added_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("arrival_id", "subject", name="pk_arrival_subjects"),
        sa.ForeignKeyConstraint(
            ["arrival_id"],
            ["arrivals.id"],
            name="fk_arrival_subjects_arrival_id_arrivals",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_arrival_subjects_subject_added_at", "arrival_subjects", ["subject", "added_at"]
    )
    op.create_table(
        "arrival_feeds",
        sa.Column("url", sa.String(1024), nullable=False),
        sa.Column("etag", sa.String(1024), nullable=True),
        sa.Column("last_modified", sa.String(64), nullable=True),
        sa.Column("checked_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("url", name="pk_arrival_feeds"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # SQLite has no Russian stemmer: the repository writes Snowball stems here.
        op.execute("CREATE VIRTUAL TABLE arrival_search USING fts5(stems, arrival_id UNINDEXED)")
    elif dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_arrivals_search_text_fts ON arrivals "
            "USING gin (to_tsvector('russian', search_text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS arrival_search")
    op.drop_table("arrival_feeds")
    op.drop_table("arrival_subjects")
    op.drop_table("arrival_isbns")
    op.drop_table("arrivals")
