"""The database schema as SQLAlchemy Core tables (portable across SQLite and PostgreSQL).

Migrations in ``storage/migrations`` create exactly this schema; a contract test compares
them. Enumerations are stored as short strings so that adding a value needs no type change.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.types import Id, Json, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

readers = Table(
    "readers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("peer_id", BigInteger, nullable=False),
    Column("language", String(16), nullable=False),
    Column("consent", String(16), nullable=False),
    Column("consent_at", UtcDateTime, nullable=True),
    Column("display_name", String(255), nullable=True),
    Column("reachable", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("platform", "peer_id"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("reader_id", Id, ForeignKey("readers.id", ondelete="CASCADE"), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("text", Text, nullable=True),
    Column("attachments", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "reader_id", "id"),
    Index(None, "created_at"),
)

dialog_states = Table(
    "dialog_states",
    metadata,
    Column(
        "reader_id",
        Id,
        ForeignKey("readers.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("flow", String(64), nullable=True),
    Column("step", String(64), nullable=True),
    Column("data", Json, nullable=False),
    Column("offered", Json, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(255), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("peer_id", BigInteger, nullable=False),
    Column("reader_id", Id, ForeignKey("readers.id", ondelete="SET NULL"), nullable=True),
    Column("payload", Json, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("locked_until", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    UniqueConstraint("idempotency_key"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "platform", "peer_id"),
    Index(None, "reader_id"),
)
