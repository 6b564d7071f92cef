"""Outbox rows that stand for the latest state of one thing (a staff-chat card) share a
coalesce key, so that a newer state replaces an older one still waiting to be sent.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("coalesce_key", sa.String(255), nullable=True))
    op.create_index("ix_outbox_coalesce_key", "outbox", ["coalesce_key"])


def downgrade() -> None:
    op.drop_index("ix_outbox_coalesce_key", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("coalesce_key")
