"""How far the VK long poll has been processed, kept in the database across restarts.

``ts`` is saved only once every update up to it has been handled: the dispatcher runs each
update as a task of its own, so a ``ts`` saved on receipt would let a kill lose the updates
still being handled. Saving after handling means at least once: an update handled just
before a kill (between its handler finishing and the save) is handled again after the
restart. A staff message acts once all the same (its answer's outbox key names it); a
reader's message may be answered twice.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque
from collections.abc import Iterable
from typing import Protocol

logger = logging.getLogger(__name__)


class CursorStore(Protocol):
    """Named cursors in durable storage (``storage.cursors``)."""

    async def load(self, name: str) -> str | None: ...

    async def save(self, name: str, value: str) -> None: ...


class HandledCursor:
    """Tracks the batches of updates in flight and saves the ``ts`` after the newest batch
    whose updates, and all earlier batches' updates, have finished.

    An update whose task was cancelled (a shutdown that ran out of grace) never counts as
    handled: nothing after it is saved, so it is read again after the restart.
    """

    def __init__(self, store: CursorStore, name: str) -> None:
        self._store = store
        self.name = name
        self._batches: deque[tuple[str, set[asyncio.Task[None]]]] = deque()
        self._handled: str | None = None
        self._saved: str | None = None
        self._stuck = False
        self._saver: asyncio.Task[None] | None = None

    async def load(self) -> str | None:
        """The ``ts`` saved by an earlier run, if any."""
        self._saved = await self._store.load(self.name)
        return self._saved

    def track(self, ts: str, tasks: Iterable[asyncio.Task[None]]) -> None:
        """The updates of a batch that ends at ``ts`` are being handled by ``tasks``."""
        pending = {task for task in tasks if not task.done()}
        self._batches.append((ts, pending))
        for task in pending:
            task.add_done_callback(functools.partial(self._finished, pending))
        self._advance()

    async def flush(self) -> None:
        """Wait for the save in progress, if any (call it after the updates are drained)."""
        if self._saver is not None:
            await asyncio.gather(self._saver, return_exceptions=True)

    def _finished(self, batch: set[asyncio.Task[None]], task: asyncio.Task[None]) -> None:
        if task.cancelled():
            self._stuck = True
        batch.discard(task)
        self._advance()

    def _advance(self) -> None:
        if self._stuck:
            return
        moved = False
        while self._batches and not self._batches[0][1]:
            self._handled = self._batches.popleft()[0]
            moved = True
        if moved and (self._saver is None or self._saver.done()):
            self._saver = asyncio.create_task(self._save(), name=f"save-{self.name}")

    async def _save(self) -> None:
        while self._handled is not None and self._handled != self._saved:
            value = self._handled
            try:
                await self._store.save(self.name, value)
            except Exception:
                # The next batch tries again; until then a restart re-reads a little more.
                logger.exception("could not save the VK long poll position %s", value)
                return
            self._saved = value
