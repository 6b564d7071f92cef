"""The request middleware that paces every Bot API call and honours Telegram's 429 answers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, SendMediaGroup, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.ratelimit import Limit, Limiter, telegram_limits

if TYPE_CHECKING:
    from aiogram import Bot

logger = logging.getLogger(__name__)

_FORWARDING_METHODS = frozenset(
    {"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"}
)
# A chat action is a typing indicator, not a message: Telegram does not count it.
_NOT_MESSAGES = frozenset({"sendChatAction"})


def counts_as_message(api_method: str) -> bool:
    """Whether Telegram counts the call against its message limits.

    Sending, copying, forwarding and editing messages count. Reading (``getUpdates``,
    ``getFile``), answering button presses and configuring the bot do not, so they pass
    without waiting: an ``answerCallbackQuery`` stuck behind a queue of digests would let the
    reader's button spin.
    """
    if api_method in _NOT_MESSAGES:
        return False
    return (
        api_method.startswith("send")
        or api_method.startswith("editMessage")
        or api_method in _FORWARDING_METHODS
    )


class ThrottlingMiddleware(BaseRequestMiddleware):
    """Waits on the shared :class:`RateLimiter` before each message-sending call, and on a
    ``TelegramRetryAfter`` sleeps the time Telegram asked for and tries again.

    After ``max_attempts`` attempts, or when Telegram asks for more than ``max_wait`` seconds,
    the ``TelegramRetryAfter`` propagates so that the caller (the outbox) can reschedule the
    message instead of holding a worker.
    """

    def __init__(
        self,
        limiter: Limiter,
        *,
        max_attempts: int = 3,
        max_wait: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._limiter = limiter
        self._max_attempts = max_attempts
        self._max_wait = max_wait
        self._sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        api_method = method.__api_method__
        attempt = 1
        while True:
            try:
                async with self._paced(api_method, method):
                    return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt >= self._max_attempts or error.retry_after > self._max_wait:
                    raise
                logger.warning(
                    "Telegram flood control on %s: waiting %ss (attempt %d of %d)",
                    api_method,
                    error.retry_after,
                    attempt,
                    self._max_attempts,
                )
                await self._sleep(error.retry_after)
                attempt += 1

    def _paced(
        self, api_method: str, method: TelegramMethod[Any]
    ) -> AbstractAsyncContextManager[None]:
        """Holds the limiter's slots while the request is made (the limiter's own context
        for a single message, with no wrapper of ours: this is on every send's path)."""
        if not counts_as_message(api_method):
            return contextlib.nullcontext()
        chat_id = getattr(method, "chat_id", None)
        limits = telegram_limits(chat_id if isinstance(chat_id, int | str) else None)
        # An album is one call but as many messages as it has items.
        if isinstance(method, SendMediaGroup) and len(method.media) > 1:
            return self._paced_album(limits, len(method.media))
        return self._limiter.hold(limits)

    @asynccontextmanager
    async def _paced_album(self, limits: Sequence[Limit], items: int) -> AsyncIterator[None]:
        # The earlier items count as sent when admitted; only the last is held through the
        # call: a chat allows one message at a time, so holding them all would wait on
        # itself.
        for _ in range(items - 1):
            async with self._limiter.hold(limits):
                pass
        async with self._limiter.hold(limits):
            yield
