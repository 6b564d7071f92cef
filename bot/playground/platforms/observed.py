"""Telling observers that a fake platform's state may have changed."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

Observer = Callable[[], None]


def observed(observers: list[Observer]) -> Middleware:
    """A middleware calling each of ``observers`` after every request, answered or failed."""

    @web.middleware
    async def notify(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        finally:
            for observer in observers:
                observer()

    return notify
