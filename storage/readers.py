"""Readers: who wrote to the bot, on which platform, in which language, with what consent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import erasure
from storage.dialect import insert_or_ignore
from storage.models import Address, ConsentState, ErasedTicket, Platform, Reader
from storage.schema import readers
from storage.types import Clock, utcnow
from storage.write_queue import WriteQueue


def reader_from_row(row: Row[tuple[object, ...]]) -> Reader:
    return reader_from_values(row._mapping)


def reader_from_values(values: Mapping[Any, Any]) -> Reader:
    """The reader in a row of ``readers``, by column name."""
    return Reader(
        id=values["id"],
        address=Address(Platform(values["platform"]), values["peer_id"]),
        language=values["language"],
        consent=ConsentState(values["consent"]),
        display_name=values["display_name"],
        reachable=values["reachable"],
        created_at=values["created_at"],
        consent_at=values["consent_at"],
    )


class ReaderRepository:
    """Readers stored in SQL; satisfies ``handlers.core.ports.Readers``."""

    def __init__(
        self, engine: AsyncEngine, clock: Clock = utcnow, queue: WriteQueue | None = None
    ) -> None:
        """``queue``: where :meth:`create`, which every new reader's first turn makes,
        waits to write (see :class:`WriteQueue`)."""
        self._engine = engine
        self._clock = clock
        self._queue = queue or WriteQueue(engine.dialect)

    async def get(self, address: Address) -> Reader | None:
        """The reader at ``address``, if one is stored."""
        query = select(readers).where(
            readers.c.platform == address.platform, readers.c.peer_id == address.peer_id
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return reader_from_row(row) if row else None

    async def get_by_id(self, reader_id: int) -> Reader | None:
        """The reader with ``reader_id``, if one is stored."""
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(readers).where(readers.c.id == reader_id))).first()
        return reader_from_row(row) if row else None

    async def create(self, address: Address, language: str) -> Reader:
        """Create the reader, or return the existing one for that address.

        Concurrent calls for one address all return the same reader and never raise: the
        insert does nothing on conflict and the row is read back in the same transaction.
        An existing reader keeps their language.
        """
        now = self._clock()
        values = {
            "platform": str(address.platform),
            "peer_id": address.peer_id,
            "language": language,
            "consent": str(ConsentState.UNKNOWN),
            "consent_at": None,
            "display_name": None,
            "reachable": True,
            "created_at": now,
            "updated_at": now,
        }
        async with self._queue.turn(), self._engine.begin() as conn:
            await conn.execute(
                insert_or_ignore(conn.dialect, readers, values, ("platform", "peer_id"))
            )
            row = (
                await conn.execute(
                    select(readers).where(
                        readers.c.platform == address.platform,
                        readers.c.peer_id == address.peer_id,
                    )
                )
            ).one()
        return reader_from_row(row)

    async def set_language(self, reader_id: int, language: str) -> None:
        """Remember the language the reader chose."""
        await self._update(reader_id, language=language)

    async def set_consent(
        self, reader_id: int, consent: ConsentState, display_name: str | None = None
    ) -> None:
        """Record a consent decision and when it was made.

        GIVEN stores ``display_name`` (a None keeps the one stored); any other decision
        clears the display name. ``consent_at`` is the time of the latest decision, and is
        cleared when the state goes back to UNKNOWN.
        """
        now = self._clock()
        if consent is ConsentState.GIVEN:
            changes: dict[str, object] = {"consent": str(consent), "consent_at": now}
            if display_name is not None:
                changes["display_name"] = display_name
        else:
            changes = {
                "consent": str(consent),
                "consent_at": None if consent is ConsentState.UNKNOWN else now,
                "display_name": None,
            }
        await self._update(reader_id, **changes)

    async def set_reachable(self, address: Address, reachable: bool) -> None:
        """Mark whether the platform still lets the bot write to ``address``."""
        statement = (
            update(readers)
            .where(readers.c.platform == address.platform, readers.c.peer_id == address.peer_id)
            .values(reachable=reachable, updated_at=self._clock())
        )
        async with self._engine.begin() as conn:
            await conn.execute(statement)

    async def forget(self, reader_id: int) -> list[ErasedTicket]:
        """Erase the reader and everything stored about them, in one transaction (see
        :mod:`storage.erasure`): their conversation log, dialog state, tickets with their
        messages, history, staff-chat links, search entries and staff-chat posts, and every
        outbox row addressed to them or carrying their data, whatever its status. Each erased
        ticket leaves an anonymous record for statistics.

        Returns the erased tickets with their place in the staff chat, so that their cards
        can be replaced there.
        """
        async with self._engine.begin() as conn:
            erased = await erasure.erase_reader(conn, reader_id)
        await erasure.scrub(self._engine)
        return erased

    async def withdraw_consent(self, reader_id: int) -> list[ErasedTicket]:
        """Record the withdrawal and erase, in one transaction, everything the reader wrote
        or was sent, as :meth:`forget` does, and their name. What stays is the account the
        withdrawal is recorded on: platform, id, language and consent state.

        Returns the erased tickets with their place in the staff chat."""
        now = self._clock()
        withdrawn = (
            update(readers)
            .where(readers.c.id == reader_id)
            .values(
                consent=str(ConsentState.WITHDRAWN),
                consent_at=now,
                display_name=None,
                updated_at=now,
            )
        )
        async with self._engine.begin() as conn:
            # The write first: on SQLite that takes the write lock up front.
            await conn.execute(withdrawn)
            erased = await erasure.erase_reader_data(conn, reader_id)
        await erasure.scrub(self._engine)
        return erased

    async def _update(self, reader_id: int, **changes: object) -> None:
        statement = (
            update(readers)
            .where(readers.c.id == reader_id)
            .values(**changes, updated_at=self._clock())
        )
        async with self._engine.begin() as conn:
            await conn.execute(statement)
