"""The calls of each rate-limit window, shared by every process on one PostgreSQL database
when no Redis is configured.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
# Temporarily 0006 on the ops branch: 0007-0010 are other branches' revisions.
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_calls",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
    )
    op.create_index("ix_rate_limit_calls_key_at", "rate_limit_calls", ["key", "at"])


def downgrade() -> None:
    op.drop_index("ix_rate_limit_calls_key_at", table_name="rate_limit_calls")
    op.drop_table("rate_limit_calls")
