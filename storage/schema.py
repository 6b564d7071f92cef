"""The database schema as SQLAlchemy Core tables (portable across SQLite and PostgreSQL).

Migrations in ``storage/migrations`` create exactly this schema; a contract test compares
them. Enumerations are stored as short strings so that adding a value needs no type change.
"""

from __future__ import annotations

from alembic.runtime.environment import NameFilterParentNames, NameFilterType
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
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
    Column("ticket_id", Id, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=True),
    Column("coalesce_key", String(255), nullable=True),
    UniqueConstraint("idempotency_key"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "platform", "peer_id"),
    Index(None, "reader_id"),
    Index(None, "ticket_id"),
    Index(None, "coalesce_key"),
)
"""``reader_id`` is the reader whose data a row carries (an answer to them, or a notice about
them to the staff chat); ``ticket_id`` the ticket a staff-chat post belongs to. Erasing the
reader or the ticket deletes the row with them."""

tickets = Table(
    "tickets",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("reader_id", Id, ForeignKey("readers.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("fields", Json, nullable=False),
    Column("deadline_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("answered_at", UtcDateTime, nullable=True),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("assignee_platform", String(16), nullable=True),
    Column("assignee_user_id", BigInteger, nullable=True),
    Column("assignee_name", String(255), nullable=True),
    Column("staff_platform", String(16), nullable=True),
    Column("staff_chat_id", BigInteger, nullable=True),
    Column("staff_topic_id", BigInteger, nullable=True),
    Column("card_message_id", BigInteger, nullable=True),
    Column("rating", Integer, nullable=True),
    Column("rating_comment", Text, nullable=True),
    Index(None, "status", "created_at"),
    Index(None, "reader_id", "created_at"),
    Index(None, "deadline_at"),
    Index(None, "staff_platform", "staff_chat_id", "staff_topic_id"),
)

ticket_messages = Table(
    "ticket_messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("ticket_id", Id, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=True),
    Column("attachments", Json, nullable=False),
    Column("author_platform", String(16), nullable=True),
    Column("author_user_id", BigInteger, nullable=True),
    Column("author_name", String(255), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "ticket_id", "created_at"),
)

ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("ticket_id", Id, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=False),
    Column("actor", String(255), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("handover", Json, nullable=True),
    Index(None, "ticket_id", "id"),
)

staff_message_links = Table(
    "staff_message_links",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("message_id", BigInteger, primary_key=True, autoincrement=False),
    Column("ticket_id", Id, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Index(None, "ticket_id"),
)

anonymous_tickets = Table(
    "anonymous_tickets",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_on", Date, nullable=False),
    Column("answered_on", Date, nullable=True),
    Column("closed_on", Date, nullable=True),
    Column("rating", Integer, nullable=True),
    Column("reason", String(16), nullable=False),
    Index(None, "created_on"),
)
"""What is left of an erased ticket for statistics: its kind, status, days and rating, with no
number, text or link to a reader."""

templates = Table(
    "templates",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("title", String(255), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

staff_profiles = Table(
    "staff_profiles",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("signature", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

poll_cursors = Table(
    "poll_cursors",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
"""Where each update feed was read up to (a VK long poll ``ts``), so a restart resumes there."""

known_staff = Table(
    "known_staff",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(255), nullable=False),
    Column("seen_at", UtcDateTime, nullable=False),
)

rate_limit_calls = Table(
    "rate_limit_calls",
    metadata,
    Column("id", Id, primary_key=True),
    Column("key", String(200), nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_rate_limit_calls_key_at", "key", "at"),
)
"""The calls inside each shared rate-limit window (see :mod:`bot.ops.limiters`): a key names a
token's limit by a hash of the token and a chat scope, never a person; ``at`` is Unix time."""


TICKET_SEARCH_TABLE = "ticket_search"
"""SQLite only: the FTS5 table of stemmed ticket text (see :mod:`storage.search`). It is built
by the migration in raw SQL, not declared here: FTS5 has no portable DDL."""

FULL_TEXT_INDEXES = ("ix_ticket_messages_text_fts", "ix_tickets_fields_fts")
"""PostgreSQL only: GIN indexes on ``to_tsvector('russian', …)``, built by the migration."""


def include_name(name: str | None, type_: NameFilterType, _parents: NameFilterParentNames) -> bool:
    """Alembic's ``include_name`` hook: skip the full-text search objects kept out of
    :data:`metadata` on purpose (the FTS5 table with its shadow tables, the GIN indexes), so
    that schema comparisons and autogenerate leave them alone."""
    if name is None:
        return True
    if type_ == "table":
        return name != TICKET_SEARCH_TABLE and not name.startswith(f"{TICKET_SEARCH_TABLE}_")
    return not (type_ == "index" and name in FULL_TEXT_INDEXES)
