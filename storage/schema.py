"""The database schema as SQLAlchemy Core tables (portable across SQLite and PostgreSQL).

Migrations in ``storage/migrations`` create exactly this schema; a contract test compares
them. Enumerations are stored as short strings so that adding a value needs no type change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    # Only migrations need alembic; the running bot never imports it.
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def staff_member_columns(prefix: str) -> list[Column[Any]]:
    """A staff member, as :mod:`storage.staff_columns` reads and writes one; all three are
    null when there is none."""
    return [
        Column(f"{prefix}_platform", String(16), nullable=True),
        Column(f"{prefix}_user_id", BigInteger, nullable=True),
        Column(f"{prefix}_name", String(255), nullable=True),
    ]


def staff_thread_columns() -> list[Column[Any]]:
    """Where a record is discussed in the staff chat; null until staff are told."""
    return [
        Column("staff_platform", String(16), nullable=True),
        Column("staff_chat_id", BigInteger, nullable=True),
        Column("staff_topic_id", BigInteger, nullable=True),
        Column("card_message_id", BigInteger, nullable=True),
    ]


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
    *staff_member_columns("assignee"),
    *staff_thread_columns(),
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
    *staff_member_columns("author"),
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

arrivals = Table(
    "arrivals",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("title_key", String(255), nullable=False),
    Column("authors", Json, nullable=False),
    Column("publisher", String(255), nullable=True),
    Column("place", String(255), nullable=True),
    Column("year", Integer, nullable=True),
    Column("isbns", Json, nullable=False),
    Column("source", String(255), nullable=False),
    Column("control_number", String(64), nullable=True),
    Column("description", Text, nullable=True),
    Column("cover", Text, nullable=True),
    Column("headings", Json, nullable=False),
    Column("subjects", Json, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "added_at", "id"),
    Index(None, "source", "control_number"),
    Index(None, "title_key", "year"),
)
"""New arrivals. ``title_key`` is the title normalised for de-duplication; ``search_text``
what full-text search reads (title, authors, description, subject headings)."""

arrival_isbns = Table(
    "arrival_isbns",
    metadata,
    Column("isbn", String(13), primary_key=True),
    Column("arrival_id", Id, ForeignKey("arrivals.id", ondelete="CASCADE"), nullable=False),
    Index(None, "arrival_id"),
)
"""Each normalised ISBN-13 and the arrival that holds it: the de-duplication lookup."""

arrival_subjects = Table(
    "arrival_subjects",
    metadata,
    Column(
        "arrival_id",
        Id,
        ForeignKey("arrivals.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("subject", String(64), primary_key=True),
    Column("added_at", UtcDateTime, nullable=False),
    Index(None, "subject", "added_at"),
)
"""The library subjects of each arrival, with its ``added_at`` copied so that "arrivals of
these subjects added since then" is one index range scan."""

arrival_feeds = Table(
    "arrival_feeds",
    metadata,
    Column("url", String(1024), primary_key=True),
    Column("etag", String(1024), nullable=True),
    Column("last_modified", String(64), nullable=True),
    Column("checked_at", UtcDateTime, nullable=False),
)
"""What each polled feed answered last (its validators), for conditional GETs."""
library_cards = Table(
    "library_cards",
    metadata,
    Column(
        "reader_id",
        Id,
        ForeignKey("readers.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("card_number", String(64), nullable=False),
    Column("linked_at", UtcDateTime, nullable=False),
    Column("reminder_days", Integer, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)
"""A reader's linked library card: the number only, never a PIN. ``reminder_days`` None means
the reader turned due-date reminders off."""

renewal_requests = Table(
    "renewal_requests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("reader_id", Id, ForeignKey("readers.id", ondelete="CASCADE"), nullable=False),
    Column("card_number", String(64), nullable=False),
    Column("cause", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("items", Text, nullable=True),
    Column("loans", Json, nullable=False),
    Column("renewed_until", Date, nullable=True),
    Column("refusal", String(32), nullable=True),
    Column("refusal_text", Text, nullable=True),
    *staff_member_columns("decided"),
    Column("decided_at", UtcDateTime, nullable=True),
    Column("awaiting", String(16), nullable=True),
    *staff_thread_columns(),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "reader_id", "created_at"),
    Index(None, "status", "created_at"),
    Index(None, "staff_chat_id", "staff_topic_id"),
    Index(None, "staff_chat_id", "card_message_id"),
)
"""Loan renewals staff do by hand: the manual backend's requests, and the ones passed on when
the circulation system was down. The id is the number shown to the reader and staff."""

sent_loan_reminders = Table(
    "sent_loan_reminders",
    metadata,
    Column(
        "reader_id",
        Id,
        ForeignKey("readers.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("kind", String(16), primary_key=True),
    Column("loan", String(32), primary_key=True),
    Column("due_on", Date, primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "created_at"),
)
"""One row per due-date reminder or overdue notice queued: reader, kind, a digest of the
loan's id (never the id or title itself) and the due date. It outlives the outbox row, which
is purged 30 days after sending, so that a loan overdue for longer is not announced again."""
digests = Table(
    "digests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("scheduled_for", UtcDateTime, nullable=False),
    Column("since", UtcDateTime, nullable=False),
    Column("until", UtcDateTime, nullable=False),
    Column("arrival_ids", Json, nullable=False),
    Column("status", String(16), nullable=False),
    Column("decided_by", String(255), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("decided_at", UtcDateTime, nullable=True),
    UniqueConstraint("scheduled_for"),
)
"""One row per scheduled digest run: the arrivals it covers ([since, until)) and what became
of it. The newest ``until`` is where the next digest starts; the unique run time is what
makes a repeated run (after a restart) a no-op."""

scheduled_posts = Table(
    "scheduled_posts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("due_at", UtcDateTime, nullable=False),
    Column("post", Json, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("origin", String(255), nullable=True),
    Column("created_by", String(255), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("origin"),
    Index(None, "status", "due_at"),
)
"""The content calendar: posts (text, image, poll, exhibition album) due at a time. ``origin``
names where a loaded entry came from (a CSV line), so loading the same file twice adds
nothing."""

arrival_subscriptions = Table(
    "arrival_subscriptions",
    metadata,
    Column(
        "reader_id",
        Id,
        ForeignKey("readers.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("subject", String(24), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "subject"),
)
"""The library subjects each reader subscribed to (personal new-arrival digests)."""

arrival_digest_plans = Table(
    "arrival_digest_plans",
    metadata,
    Column(
        "reader_id",
        Id,
        ForeignKey("readers.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("frequency", String(16), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
"""How often each subscribed reader gets their digest: as arrivals come, or weekly."""

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

ARRIVAL_SEARCH_TABLE = "arrival_search"
"""SQLite only: the FTS5 table of stemmed arrival text, built by migration 0009."""

FULL_TEXT_INDEXES = (
    "ix_ticket_messages_text_fts",
    "ix_tickets_fields_fts",
    "ix_arrivals_search_text_fts",
)
"""PostgreSQL only: GIN indexes, built by the migrations (on ``search_vector`` for tickets)."""

FULL_TEXT_COLUMNS = ("search_vector",)
"""PostgreSQL only: stored ``to_tsvector('russian', …)`` columns, added by migration 0013."""


def include_name(name: str | None, type_: NameFilterType, _parents: NameFilterParentNames) -> bool:
    """Alembic's ``include_name`` hook: skip the full-text search objects kept out of
    :data:`metadata` on purpose (the FTS5 table with its shadow tables, the GIN indexes,
    the stored vectors), so that schema comparisons and autogenerate leave them alone."""
    if name is None:
        return True
    if type_ == "table":
        return not any(
            name == fts or name.startswith(f"{fts}_")
            for fts in (TICKET_SEARCH_TABLE, ARRIVAL_SEARCH_TABLE)
        )
    if type_ == "column":
        return name not in FULL_TEXT_COLUMNS
    return not (type_ == "index" and name in FULL_TEXT_INDEXES)
