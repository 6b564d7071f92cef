"""Erasure: outbox rows know the ticket they belong to (so they go with it), and erased
tickets leave an anonymous record for statistics.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of storage.types.Id, so that later changes there cannot rewrite history.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Batch mode: SQLite cannot add a foreign key to an existing table, so it is rebuilt.
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("ticket_id", Id, nullable=True))
        batch.create_foreign_key(
            "fk_outbox_ticket_id_tickets", "tickets", ["ticket_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_outbox_ticket_id", ["ticket_id"])
    op.create_table(
        "anonymous_tickets",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_anonymous_tickets"),
    )
    op.create_index("ix_anonymous_tickets_created_on", "anonymous_tickets", ["created_on"])


def downgrade() -> None:
    op.drop_table("anonymous_tickets")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_ticket_id")
        batch.drop_constraint("fk_outbox_ticket_id_tickets", type_="foreignkey")
        batch.drop_column("ticket_id")
