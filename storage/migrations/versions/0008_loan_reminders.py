"""Loan reminders: a record of each due-date reminder and overdue notice queued.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of storage.types, so that later changes there cannot rewrite history.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sent_loan_reminders",
        sa.Column("reader_id", Id, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("loan", sa.String(32), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name="fk_sent_loan_reminders_reader_id_readers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "reader_id", "kind", "loan", "due_on", name="pk_sent_loan_reminders"
        ),
    )
    op.create_index("ix_sent_loan_reminders_created_at", "sent_loan_reminders", ["created_at"])


def downgrade() -> None:
    op.drop_table("sent_loan_reminders")
