"""Reference tickets: tickets, their messages, status events and staff-chat links; answer
templates; staff signatures; full-text search (FTS5 on SQLite, GIN on PostgreSQL).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of storage.types, so that later changes there cannot rewrite history.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("reader_id", Id, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("fields", Json, nullable=False),
        sa.Column("deadline_at", Timestamp, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("answered_at", Timestamp, nullable=True),
        sa.Column("closed_at", Timestamp, nullable=True),
        sa.Column("assignee_platform", sa.String(16), nullable=True),
        sa.Column("assignee_user_id", sa.BigInteger(), nullable=True),
        sa.Column("assignee_name", sa.String(255), nullable=True),
        sa.Column("staff_platform", sa.String(16), nullable=True),
        sa.Column("staff_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("staff_topic_id", sa.BigInteger(), nullable=True),
        sa.Column("card_message_id", sa.BigInteger(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name="fk_tickets_reader_id_readers",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_tickets_status_created_at", "tickets", ["status", "created_at"])
    op.create_index("ix_tickets_reader_id_created_at", "tickets", ["reader_id", "created_at"])
    op.create_index("ix_tickets_deadline_at", "tickets", ["deadline_at"])
    op.create_index(
        "ix_tickets_staff_platform_staff_chat_id_staff_topic_id",
        "tickets",
        ["staff_platform", "staff_chat_id", "staff_topic_id"],
    )
    op.create_table(
        "ticket_messages",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("ticket_id", Id, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("attachments", Json, nullable=False),
        sa.Column("author_platform", sa.String(16), nullable=True),
        sa.Column("author_user_id", sa.BigInteger(), nullable=True),
        sa.Column("author_name", sa.String(255), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_messages"),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_ticket_messages_ticket_id_tickets",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_ticket_messages_ticket_id_created_at", "ticket_messages", ["ticket_id", "created_at"]
    )
    op.create_table(
        "ticket_events",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("ticket_id", Id, nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_events"),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_ticket_events_ticket_id_tickets",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_ticket_events_ticket_id_id", "ticket_events", ["ticket_id", "id"])
    op.create_table(
        "staff_message_links",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("ticket_id", Id, nullable=False),
        sa.PrimaryKeyConstraint("platform", "chat_id", "message_id", name="pk_staff_message_links"),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_staff_message_links_ticket_id_tickets",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_staff_message_links_ticket_id", "staff_message_links", ["ticket_id"])
    op.create_table(
        "templates",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_templates"),
    )
    op.create_table(
        "staff_profiles",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id", name="pk_staff_profiles"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # Stems are computed in Python (SQLite has no Russian stemmer), so the repository
        # keeps this table up to date rather than triggers. message_id 0 is the form fields.
        op.execute(
            "CREATE VIRTUAL TABLE ticket_search USING fts5("
            "stems, ticket_id UNINDEXED, message_id UNINDEXED)"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_ticket_messages_text_fts ON ticket_messages "
            "USING gin (to_tsvector('russian', coalesce(text, '')))"
        )
        op.execute(
            "CREATE INDEX ix_tickets_fields_fts ON tickets "
            "USING gin (to_tsvector('russian', fields))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS ticket_search")
    op.drop_table("staff_profiles")
    op.drop_table("templates")
    op.drop_table("staff_message_links")
    op.drop_table("ticket_events")
    op.drop_table("ticket_messages")
    op.drop_table("tickets")
