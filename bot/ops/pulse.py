"""Whether a platform answers: the outcome of the latest call made to it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramNetworkError, TelegramServerError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from storage.types import Clock

if TYPE_CHECKING:
    from aiogram import Bot


class Pulse:
    """The latest call's outcome; ``failing_since`` is None while the platform answers."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.failing_since: datetime | None = None
        self.last_error = ""

    def ok(self) -> None:
        self.failing_since = None
        self.last_error = ""

    def failed(self, error: BaseException) -> None:
        if self.failing_since is None:
            self.failing_since = self._clock()
        self.last_error = type(error).__name__


class TelegramPulse(BaseRequestMiddleware):
    """Records on a :class:`Pulse` whether Bot API calls reached a working server. An API
    error (a bad request, a blocked reader) is an answer; a network failure or a 5xx is not.

    With ``only`` set (``getUpdates`` when polling), only that method's calls count: the
    update loop's own health is what matters, and a send that succeeds meanwhile says
    nothing about it."""

    def __init__(self, pulse: Pulse, only: str | None = None) -> None:
        self._pulse = pulse
        self._only = only

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if self._only is not None and method.__api_method__ != self._only:
            return await make_request(bot, method)
        try:
            response = await make_request(bot, method)
        except (TelegramNetworkError, TelegramServerError) as error:
            self._pulse.failed(error)
            raise
        except Exception:
            self._pulse.ok()
            raise
        self._pulse.ok()
        return response
