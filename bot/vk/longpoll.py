"""The Bots Long Poll runner.

It is a small loop of its own over ``VkApi`` rather than vkbottle's ``BotPolling``:
``BotPolling`` stores ``ts`` in a file under the working directory, reads the server with the
shared HTTP client without checking the status, and leaves dispatch to vkbottle's router,
which this project does not use. Here each update goes to ``UpdateDispatcher`` as its own
task, and every failure (network, VK, a malformed answer) is logged and retried with a
growing pause; only ``stop`` ends the loop.

With a ``CursorStore`` the ``ts`` up to which updates were handled is kept in the database
(see ``bot.vk.progress``), and a restart resumes from it: messages sent while the bot was
down are read then. VK keeps a limited history; when it is gone (``failed: 1`` or ``3``),
a warning says how many events were missed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.vk.api import VkApi
from bot.vk.dispatch import UpdateDispatcher
from bot.vk.progress import CursorStore, HandledCursor
from handlers.core.messenger import DeliveryError, TransientError

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class _Server:
    url: str
    key: str
    ts: str


class LongPollRunner:
    """Polls ``groups.getLongPollServer``'s server and hands updates to the dispatcher.

    Run it as a task and stop it with ``await runner.stop()``, which also waits for the
    updates still being handled::

        runner = LongPollRunner(api, dispatcher, group_id=settings.vk_group_id)
        task = asyncio.create_task(runner.run())
        ...
        await runner.stop()
    """

    def __init__(
        self,
        api: VkApi,
        dispatcher: UpdateDispatcher,
        *,
        group_id: int | None = None,
        cursors: CursorStore | None = None,
        wait: int = 25,
        max_pause: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.api = api
        self.dispatcher = dispatcher
        self.group_id = group_id
        self.wait = wait
        self.max_pause = max_pause
        self._sleep = sleep
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._cursors = cursors
        self._progress: HandledCursor | None = None
        self.failures = 0

    async def run(self) -> None:
        """Poll until ``stop`` is called; never returns on errors."""
        self._task = asyncio.current_task()
        server: _Server | None = None
        while not self._stopping:
            try:
                if server is None:
                    server = await self._resume()
                server = await self._check(server)
                self.failures = 0
            except asyncio.CancelledError:
                if self._stopping:
                    return
                raise
            except (
                DeliveryError,
                aiohttp.ClientError,
                TimeoutError,
                ValueError,
                KeyError,
            ) as error:
                await self._pause(f"{type(error).__name__}: {error}")
            except Exception:
                logger.exception("Unexpected error in VK long poll")
                await self._pause("unexpected error")

    async def stop(self, grace: float = 10.0) -> None:
        """End the loop and wait up to ``grace`` seconds for updates being handled."""
        self._stopping = True
        task = self._task
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self.dispatcher.drain(grace)
        if self._progress is not None:
            await self._progress.flush()

    async def _resume(self) -> _Server:
        """A new server; on the first one of a run, at the ``ts`` an earlier run reached."""
        server = await self._server()
        if self._cursors is None or self._progress is not None:
            return server
        progress = HandledCursor(self._cursors, f"vk:{self.group_id}:longpoll")
        stored = await progress.load()
        self._progress = progress
        if stored is None:
            # The very first run: from here on nothing may be missed, even if this run is
            # stopped before its first check returns.
            progress.track(server.ts, [])
        elif stored != server.ts:
            logger.info("VK long poll resumes at ts %s (the server is at %s)", stored, server.ts)
            server.ts = stored
        return server

    async def _server(self) -> _Server:
        if self.group_id is None:
            groups = await self.api.call("groups.getById")
            self.group_id = int(groups["groups"][0]["id"])
        answer = await self.api.call("groups.getLongPollServer", group_id=self.group_id)
        return _Server(url=str(answer["server"]), key=str(answer["key"]), ts=str(answer["ts"]))

    async def _check(self, server: _Server) -> _Server | None:
        """One ``a_check``; the server to use next, or None to ask for a new one."""
        status, body = await self.api.fetch(
            server.url,
            params={"act": "a_check", "key": server.key, "ts": server.ts, "wait": self.wait},
            time_limit=aiohttp.ClientTimeout(total=self.wait + 10),
        )
        if status != 200:
            raise TransientError(f"long poll server answered HTTP {status}")
        answer: dict[str, Any] = json.loads(body)
        failed = answer.get("failed")
        if failed == 1:
            fresh_ts = str(answer["ts"])
            _warn_missed("VK long poll history is gone", server.ts, fresh_ts)
            server.ts = fresh_ts
            self._handled(fresh_ts, [])
            return server
        if failed == 2:
            fresh = await self._server()
            fresh.ts = server.ts
            return fresh
        if failed is not None:
            fresh = await self._server()
            _warn_missed(f"VK long poll lost its state (failed: {failed})", server.ts, fresh.ts)
            self._handled(fresh.ts, [])
            return fresh
        tasks = [
            self.dispatcher.dispatch(update)
            for update in answer.get("updates") or []
            if isinstance(update, dict)
        ]
        server.ts = str(answer["ts"])
        self._handled(server.ts, tasks)
        return server

    def _handled(self, ts: str, tasks: list[asyncio.Task[None]]) -> None:
        if self._progress is not None:
            self._progress.track(ts, tasks)

    async def _pause(self, reason: str) -> None:
        self.failures += 1
        pause = min(self.max_pause, 0.5 * 2 ** min(self.failures - 1, 10))
        logger.warning("VK long poll failed (%s); retrying in %.1fs", reason, pause)
        await self._sleep(pause)


def _warn_missed(what: str, old_ts: str, new_ts: str) -> None:
    """``ts`` counts events, so the gap between the two is how many were never read."""
    try:
        missed = int(new_ts) - int(old_ts)
    except ValueError:
        logger.warning("%s: events after ts %s were missed (now at %s)", what, old_ts, new_ts)
        return
    if missed > 0:
        logger.warning("%s: %d events missed (ts %s to %s)", what, missed, old_ts, new_ts)
    else:
        logger.warning("%s: continuing at ts %s", what, new_ts)
