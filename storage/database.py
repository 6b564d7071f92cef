"""Engines for the two supported backends, and the bundle of repositories built on one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from storage.arrivals import ArrivalRepository
from storage.cards import LibraryCardRepository
from storage.connectable import BoundConnection
from storage.conversations import ConversationRepository
from storage.cursors import PollCursorRepository
from storage.dialogs import DialogRepository
from storage.erasure import RetentionRepository
from storage.loan_reminders import SentLoanReminderRepository
from storage.outbox import OutboxRepository
from storage.publishing import CalendarRepository, DigestRepository
from storage.readers import ReaderRepository
from storage.renewals import RenewalRepository
from storage.sqlite_driver import one_hop_dbapi
from storage.sqlite_lanes import SqliteLane
from storage.staff import StaffProfileRepository
from storage.subscriptions import SubscriptionRepository
from storage.templates import TemplateRepository
from storage.tickets import TicketRepository
from storage.transaction import Transaction
from storage.turns import TurnRepository
from storage.types import Clock, utcnow
from storage.write_queue import QueuedWrites, WriteQueue

SQLITE_BUSY_TIMEOUT_MS = 5000

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def async_url(url: str | URL) -> URL:
    """Map a database URL to its async driver: ``sqlite:///`` to aiosqlite, ``postgresql://``
    and ``postgres://`` to asyncpg. Other drivers are refused."""
    parsed = make_url(url) if isinstance(url, str) else url
    try:
        drivername = _DRIVERS[parsed.drivername]
    except KeyError:
        raise ValueError(
            f"unsupported database URL scheme {parsed.drivername!r}: "
            "use sqlite+aiosqlite:///path or postgresql+asyncpg://…"
        ) from None
    return parsed.set(drivername=drivername)


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


def create_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """Create an async engine for ``url`` (see :func:`async_url`).

    A SQLite file gets its parent directory created, and every connection runs in WAL mode
    with foreign keys enforced, ``secure_delete`` on and a busy timeout, so that concurrent
    writers wait instead of failing. Extra keyword arguments go to
    :func:`sqlalchemy.ext.asyncio.create_async_engine`.
    """
    target = async_url(url)
    if target.get_backend_name() != "sqlite":
        return create_async_engine(target, **kwargs)

    memory = _is_memory(target)
    if memory:
        # Each connection to ":memory:" is a separate database; share the one connection.
        kwargs.setdefault("poolclass", StaticPool)
    else:
        Path(str(target.database)).parent.mkdir(parents=True, exist_ok=True)
    # One thread hand-off per statement (see storage.sqlite_driver).
    kwargs.setdefault("module", one_hop_dbapi())
    engine = create_async_engine(target, **kwargs)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas(wal=not memory))
    return engine


def _sqlite_pragmas(*, wal: bool) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Deleted content is overwritten with zeros, so erased personal data does not
            # linger in free pages of the file.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    return on_connect


class Storage:
    """One engine and the repositories that share it: ``readers``, ``conversations``,
    ``dialogs``, ``turns`` (a reader turn's own reads and writes), ``outbox``, ``tickets``,
    ``templates``, ``staff`` (staff profiles),
    ``cursors`` (how far each update feed was processed), ``retention``, ``arrivals``,
    ``subscriptions`` (readers' subject subscriptions), ``cards`` (linked library cards),
    ``renewals`` (renewal requests staff handle), ``loan_reminders`` (the loan reminders
    sent), ``digests`` and ``calendar`` (announcements). Each of their calls is a transaction
    of its own; :meth:`transaction` groups writes that must agree.

    Build it with :meth:`open` (or from an existing engine) and release it with
    :meth:`close`, or use it as an async context manager. The schema is not created here:
    run :func:`storage.migrate.upgrade` first.
    """

    def __init__(self, engine: AsyncEngine, clock: Clock = utcnow) -> None:
        self.engine = engine
        self._clock = clock
        self.write_queue = queue = WriteQueue(engine.dialect)
        # A reader turn's reads and its writes each on a connection kept for them (see
        # storage.sqlite_lanes); two, so that no read waits behind a write that waits for
        # another process's lock.
        self._lanes = (
            (SqliteLane(engine), SqliteLane(engine)) if engine.dialect.name == "sqlite" else None
        )
        reads, writes = self._lanes or (None, None)
        self.readers = ReaderRepository(engine, clock, queue)
        self.conversations = ConversationRepository(engine, clock)
        self.dialogs = DialogRepository(engine, clock)
        self.turns = TurnRepository(engine, clock, queue, reads=reads, writes=writes)
        self.outbox = OutboxRepository(QueuedWrites(engine, queue), clock)
        self.tickets = TicketRepository(engine, clock, sqlite_reads=reads)
        self.templates = TemplateRepository(engine, clock)
        self.staff = StaffProfileRepository(engine, clock)
        self.cursors = PollCursorRepository(engine, clock)
        self.retention = RetentionRepository(engine)
        self.arrivals = ArrivalRepository(engine, clock)
        self.cards = LibraryCardRepository(engine, clock)
        self.renewals = RenewalRepository(engine, clock)
        self.loan_reminders = SentLoanReminderRepository(engine, clock)
        self.digests = DigestRepository(engine, clock)
        self.calendar = CalendarRepository(engine, clock)
        self.subscriptions = SubscriptionRepository(engine, clock)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """A unit of work: the repositories it yields write in one transaction, committed
        when the block ends and rolled back if it raises."""
        async with self.engine.begin() as connection:
            yield Transaction(BoundConnection(connection), self._clock)

    @classmethod
    def open(cls, url: str | URL, clock: Clock = utcnow, **engine_kwargs: Any) -> Self:
        """Create the engine for ``url`` (see :func:`create_engine`) and the repositories."""
        return cls(create_engine(url, **engine_kwargs), clock)

    async def close(self) -> None:
        """Close every pooled connection (the storage may still be used: connections are
        opened again as needed)."""
        for lane in self._lanes or ():
            await lane.close()
        await self.engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
