"""Receiving Telegram updates, by long polling or by webhook, and handing them to the core.

Both modes share one aiogram ``Dispatcher`` with one router that converts every message and
button press into a neutral :class:`~handlers.core.events.Event`. Conversation state is kept in
our database, so nothing here uses aiogram's FSM storage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable

from aiogram import Bot, Dispatcher, Router
from aiogram.exceptions import TelegramNetworkError, TelegramServerError
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.telegram.updates import event_from_callback, event_from_message
from handlers.core.events import Event

logger = logging.getLogger(__name__)

NeutralHandler = Callable[[Event], Awaitable[None]]

ALLOWED_UPDATES = ("message", "callback_query")
"""The update types the bot asks Telegram for, in both modes."""

POLLING_CONCURRENCY = 64
"""How many polled updates are handled at once. Unbounded, a burst of 600 new readers had
600 turns interleaving on the one event loop: the first answers left after a second, and
every answer's round trip, which the rate limiter's windows include, stretched with the
loop's backlog (26 messages/s against Telegram's 30). At 64 the burst is answered at 29/s,
and 64 conversations would all have to be waiting at once (on an ILS, or on their chat's
send budget) before a new one waits for a slot."""

# Telegram accepts 1-256 characters of A-Z, a-z, 0-9, "_" and "-" as a webhook secret.
_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramRunner:
    """Feeds one bot's updates to a neutral handler.

    Each update is handled in its own task, up to :data:`POLLING_CONCURRENCY` at once when
    polling, so one slow conversation never holds up the others, and an exception from the
    handler is logged and dropped: the update loop never dies of it.
    """

    def __init__(self, bot: Bot, handler: NeutralHandler) -> None:
        self.bot = bot
        self._handler = handler
        self._in_flight: set[asyncio.Task[object]] = set()
        self._stop_requested = False
        self._stopped = asyncio.Event()
        # Dialog state lives in our database, not aiogram's FSM: its MemoryStorage would keep
        # a record per reader in process memory for ever (a defaultdict), and without it
        # aiogram skips a state lookup and a lock per update.
        self.dispatcher = Dispatcher(name="telegram", disable_fsm=True)
        self.dispatcher.include_router(self._router())

    def _router(self) -> Router:
        router = Router(name="neutral-events")

        async def on_message(message: Message) -> None:
            event = event_from_message(message)
            if event is not None:
                await self._deliver(event)

        async def on_callback_query(callback_query: CallbackQuery) -> None:
            event = event_from_callback(callback_query)
            if event is not None:
                await self._deliver(event)

        router.message.register(on_message)
        router.callback_query.register(on_callback_query)
        return router

    async def _deliver(self, event: Event) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            await self._handler(event)
        except Exception:
            # Deliberately only the address: the reader's text does not belong in logs.
            logger.exception("Handling a Telegram update from %s failed", event.address)
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def run_polling(
        self,
        *,
        polling_timeout: int = 30,
        drop_pending_updates: bool = False,
        handle_signals: bool = True,
        close_bot_session: bool = True,
        shutdown_grace: float = 10.0,
    ) -> None:
        """Long-poll until :meth:`stop_polling` (or SIGINT/SIGTERM with ``handle_signals``).

        A webhook left over from webhook mode is removed first, since Telegram refuses
        ``getUpdates`` while one is set. On the way out, handlers still running get
        ``shutdown_grace`` seconds to finish before the bot's session is closed.
        """
        try:
            await self._prepare(drop_pending_updates)
            if not self._stop_requested:
                await self.dispatcher.start_polling(
                    self.bot,
                    polling_timeout=polling_timeout,
                    handle_as_tasks=True,
                    tasks_concurrency_limit=POLLING_CONCURRENCY,
                    allowed_updates=list(ALLOWED_UPDATES),
                    handle_signals=handle_signals,
                    close_bot_session=False,
                )
        finally:
            if self._in_flight:
                await asyncio.wait(set(self._in_flight), timeout=shutdown_grace)
            if close_bot_session:
                await self.bot.session.close()

    async def _prepare(self, drop_pending_updates: bool) -> None:
        """Remove a leftover webhook and learn who the bot is, retrying until Telegram
        answers: an outage at start must not leave the bot deaf. (aiogram's polling loop
        retries ``getUpdates`` by itself, but these two calls come before it; ``bot.me()``
        is cached once it succeeds.)"""
        delay = 1.0
        while not self._stop_requested:
            try:
                await self.bot.delete_webhook(drop_pending_updates=drop_pending_updates)
                await self.bot.me()
                return
            except (TelegramNetworkError, TelegramServerError) as error:
                logger.warning(
                    "Telegram unreachable at start (%s); retrying in %.0fs",
                    type(error).__name__,
                    delay,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), delay)
            delay = min(delay * 2, 60.0)

    async def stop_polling(self) -> None:
        """Ask :meth:`run_polling` to stop and wait until the update loop has ended."""
        self._stop_requested = True
        self._stopped.set()
        try:
            await self.dispatcher.stop_polling()
        except RuntimeError:
            logger.debug("Polling was not running when asked to stop")

    def setup_webhook(self, app: web.Application, *, path: str, secret: str) -> None:
        """Serve Telegram's webhook calls at ``path`` on ``app``.

        A request without the ``X-Telegram-Bot-Api-Secret-Token`` header equal to ``secret``
        gets 401 and is not processed. Updates are handled in the background, so Telegram
        gets its answer at once. The bot's session is closed when ``app`` shuts down.
        """
        _check_secret(secret)
        SimpleRequestHandler(
            dispatcher=self.dispatcher,
            bot=self.bot,
            secret_token=secret,
            handle_in_background=True,
        ).register(app, path=path)
        setup_application(app, self.dispatcher, bot=self.bot)


async def start_webhook(
    bot: Bot, url: str, secret: str, *, drop_pending_updates: bool = False
) -> None:
    """Tell Telegram to deliver updates to ``url`` with ``secret`` in every request.

    Safe to call from every worker behind a load balancer: setting the same webhook again
    changes nothing.
    """
    _check_secret(secret)
    await bot.set_webhook(
        url,
        secret_token=secret,
        allowed_updates=list(ALLOWED_UPDATES),
        drop_pending_updates=drop_pending_updates,
    )


async def run_polling(
    bot: Bot,
    handler: NeutralHandler,
    *,
    polling_timeout: int = 30,
    drop_pending_updates: bool = False,
    handle_signals: bool = True,
) -> None:
    """Shortcut for ``TelegramRunner(bot, handler).run_polling(...)``."""
    await TelegramRunner(bot, handler).run_polling(
        polling_timeout=polling_timeout,
        drop_pending_updates=drop_pending_updates,
        handle_signals=handle_signals,
    )


def setup_webhook(
    app: web.Application, bot: Bot, handler: NeutralHandler, *, path: str, secret: str
) -> TelegramRunner:
    """Shortcut for ``TelegramRunner(bot, handler).setup_webhook(app, ...)``."""
    runner = TelegramRunner(bot, handler)
    runner.setup_webhook(app, path=path, secret=secret)
    return runner


def _check_secret(secret: str) -> None:
    if not _SECRET_PATTERN.fullmatch(secret):
        raise ValueError("a webhook secret is 1-256 characters of A-Z, a-z, 0-9, _ and -")
