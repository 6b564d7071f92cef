"""Calls to the circulation system, with a limit on how long the reader waits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from handlers.loans.ils import IlsUnavailable

ILS_PATIENCE = 30.0
"""Seconds a call to the circulation system may take before the request goes to staff."""

T = TypeVar("T")


async def patiently(call: Awaitable[T]) -> T:
    """Await ``call``; slowness counts as being down (:class:`IlsUnavailable`)."""
    try:
        return await asyncio.wait_for(call, ILS_PATIENCE)
    except TimeoutError:
        raise IlsUnavailable("the circulation system did not answer in time") from None
