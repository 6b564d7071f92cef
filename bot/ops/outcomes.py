"""How a delivery attempt ended, as a metrics label."""

from __future__ import annotations

import sys

from handlers.core.messenger import (
    PermanentError,
    RecipientUnreachable,
    RetryAfter,
    TransientError,
)


def send_outcome(error: BaseException | None) -> str:
    """``ok``, ``429``, ``403``, ``5xx``, ``timeout``, ``network``, ``rejected`` (a permanent
    refusal such as a bad request) or ``error`` (anything else)."""
    if error is None:
        return "ok"
    if isinstance(error, RetryAfter):
        return "429"
    if isinstance(error, RecipientUnreachable):
        return "403"
    if isinstance(error, PermanentError):
        return "rejected"
    causes = list(_chain(error))
    if any(isinstance(cause, TimeoutError) for cause in causes) or any(
        "timeout" in str(cause).lower() for cause in causes
    ):
        return "timeout"
    if any(isinstance(cause, _telegram("TelegramServerError")) for cause in causes) or any(
        "HTTP 5" in str(cause) for cause in causes
    ):
        return "5xx"
    network = (_telegram("TelegramNetworkError"), OSError)
    if isinstance(error, TransientError) or any(isinstance(c, network) for c in causes):
        return "network"
    return "error"


def _telegram(name: str) -> tuple[type[BaseException], ...]:
    """aiogram's exception class ``name``, if aiogram is loaded: where Telegram is not
    configured it is never imported, and none of its errors can occur."""
    module = sys.modules.get("aiogram.exceptions")
    found = getattr(module, name, None) if module is not None else None
    return (found,) if isinstance(found, type) and issubclass(found, BaseException) else ()


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen
