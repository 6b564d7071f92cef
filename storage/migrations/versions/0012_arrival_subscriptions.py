"""Subject subscriptions to new arrivals: each reader's subjects and digest frequency.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of storage.types, so that later changes there cannot rewrite history.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "arrival_subscriptions",
        sa.Column("reader_id", Id, autoincrement=False, nullable=False),
        sa.Column("subject", sa.String(24), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("reader_id", "subject", name="pk_arrival_subscriptions"),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name="fk_arrival_subscriptions_reader_id_readers",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_arrival_subscriptions_subject", "arrival_subscriptions", ["subject"])
    op.create_table(
        "arrival_digest_plans",
        sa.Column("reader_id", Id, autoincrement=False, nullable=False),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("reader_id", name="pk_arrival_digest_plans"),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name="fk_arrival_digest_plans_reader_id_readers",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("arrival_digest_plans")
    op.drop_index("ix_arrival_subscriptions_subject", "arrival_subscriptions")
    op.drop_table("arrival_subscriptions")
