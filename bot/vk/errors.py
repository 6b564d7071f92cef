"""VK error codes mapped onto the neutral delivery errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from vkbottle import VKAPIError

from bot.vk.api import RATE_LIMIT_CODES
from handlers.core.messenger import (
    DeliveryError,
    PermanentError,
    RecipientUnreachable,
    RetryAfter,
    TransientError,
)

UNREACHABLE_CODES = frozenset({7, 901, 902})
"""Permission denied; no permission to message the user; the user's privacy settings."""

TRANSIENT_CODES = frozenset({1, 10})
"""Unknown error and internal server error: VK's own trouble, worth another try later."""


def error_for_code(code: int, message: str) -> DeliveryError:
    """The neutral error for a VK error code (for whole calls and ``peer_ids`` items alike)."""
    text = f"VK error {code}: {message}"
    if code in UNREACHABLE_CODES:
        return RecipientUnreachable(text)
    if code in RATE_LIMIT_CODES:
        return RetryAfter(1.0, text)
    if code in TRANSIENT_CODES:
        return TransientError(text)
    return PermanentError(text)


@contextmanager
def delivery_errors() -> Iterator[None]:
    """Turn vkbottle's ``VKAPIError`` raised inside the block into a ``DeliveryError``."""
    try:
        yield
    except VKAPIError as error:
        raise error_for_code(error.code, error.error_msg) from error
