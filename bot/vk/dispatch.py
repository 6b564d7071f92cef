"""Each incoming update handled in its own task, so one slow reader never holds up the rest."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.vk.updates import UpdateConverter
from handlers.core.events import Event

logger = logging.getLogger(__name__)

EventHandler = Callable[[Event], Awaitable[None]]
"""What the core offers the VK runners: a coroutine that handles one neutral event."""


class UpdateDispatcher:
    """Converts updates and runs the handler on them in background tasks.

    A handler's exception is logged and goes no further; ``drain`` waits for the tasks still
    running (cancelling them after ``grace`` seconds) when the runner stops.
    """

    def __init__(self, converter: UpdateConverter, handler: EventHandler) -> None:
        self.converter = converter
        self.handler = handler
        self._tasks: set[asyncio.Task[None]] = set()

    def dispatch(self, update: Mapping[str, Any]) -> asyncio.Task[None]:
        """Start handling ``update``; the task ends when its handler has (or has failed)."""
        task = asyncio.create_task(self._process(update), name=f"vk-{update.get('type')}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def drain(self, grace: float = 10.0) -> None:
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)

    async def _process(self, update: Mapping[str, Any]) -> None:
        kind = update.get("type")
        try:
            event = await self.converter.convert(update)
            if event is not None:
                await self.handler(event)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Handling a VK %s update failed", kind)
