"""Announcements: the digest runs and the content calendar.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of storage.types, so that later changes there cannot rewrite history.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UtcDateTime = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("scheduled_for", UtcDateTime, nullable=False),
        sa.Column("since", UtcDateTime, nullable=False),
        sa.Column("until", UtcDateTime, nullable=False),
        sa.Column("arrival_ids", Json, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(255), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("decided_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_digests"),
        sa.UniqueConstraint("scheduled_for", name="uq_digests_scheduled_for"),
    )
    op.create_table(
        "scheduled_posts",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("due_at", UtcDateTime, nullable=False),
        sa.Column("post", Json, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(255), nullable=True),
        sa.Column("created_by", sa.String(255), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scheduled_posts"),
        sa.UniqueConstraint("origin", name="uq_scheduled_posts_origin"),
    )
    op.create_index("ix_scheduled_posts_status_due_at", "scheduled_posts", ["status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_scheduled_posts_status_due_at", table_name="scheduled_posts")
    op.drop_table("scheduled_posts")
    op.drop_table("digests")
