"""Ticket hand-overs: who took or assigned a ticket, from whom, recorded on its events; and the
staff seen in the staff chat, with the names they had there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of storage.types, so that later changes there cannot rewrite history.
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("ticket_events", sa.Column("handover", Json, nullable=True))
    op.create_table(
        "known_staff",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("seen_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id", name="pk_known_staff"),
    )


def downgrade() -> None:
    op.drop_table("known_staff")
    with op.batch_alter_table("ticket_events") as batch:
        batch.drop_column("handover")
