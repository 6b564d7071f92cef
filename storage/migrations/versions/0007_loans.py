"""Loans: the reader's linked library card and the renewal requests staff handle by hand.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of storage.types, so that later changes there cannot rewrite history.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "library_cards",
        sa.Column("reader_id", Id, nullable=False, autoincrement=False),
        sa.Column("card_number", sa.String(64), nullable=False),
        sa.Column("linked_at", Timestamp, nullable=False),
        sa.Column("reminder_days", sa.Integer, nullable=True),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name="fk_library_cards_reader_id_readers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reader_id", name="pk_library_cards"),
    )
    op.create_table(
        "renewal_requests",
        sa.Column("id", Id, nullable=False, autoincrement=True),
        sa.Column("reader_id", Id, nullable=False),
        sa.Column("card_number", sa.String(64), nullable=False),
        sa.Column("cause", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("items", sa.Text, nullable=True),
        sa.Column("loans", Json, nullable=False),
        sa.Column("renewed_until", sa.Date, nullable=True),
        sa.Column("refusal", sa.String(32), nullable=True),
        sa.Column("refusal_text", sa.Text, nullable=True),
        sa.Column("decided_platform", sa.String(16), nullable=True),
        sa.Column("decided_user_id", sa.BigInteger, nullable=True),
        sa.Column("decided_name", sa.String(255), nullable=True),
        sa.Column("decided_at", Timestamp, nullable=True),
        sa.Column("awaiting", sa.String(16), nullable=True),
        sa.Column("staff_platform", sa.String(16), nullable=True),
        sa.Column("staff_chat_id", sa.BigInteger, nullable=True),
        sa.Column("staff_topic_id", sa.BigInteger, nullable=True),
        sa.Column("card_message_id", sa.BigInteger, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name="fk_renewal_requests_reader_id_readers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_renewal_requests"),
    )
    op.create_index(
        "ix_renewal_requests_reader_id_created_at", "renewal_requests", ["reader_id", "created_at"]
    )
    op.create_index(
        "ix_renewal_requests_status_created_at", "renewal_requests", ["status", "created_at"]
    )
    op.create_index(
        "ix_renewal_requests_staff_chat_id_staff_topic_id",
        "renewal_requests",
        ["staff_chat_id", "staff_topic_id"],
    )
    op.create_index(
        "ix_renewal_requests_staff_chat_id_card_message_id",
        "renewal_requests",
        ["staff_chat_id", "card_message_id"],
    )


def downgrade() -> None:
    op.drop_table("renewal_requests")
    op.drop_table("library_cards")
