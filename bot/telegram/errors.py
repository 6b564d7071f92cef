"""Turning aiogram's exceptions into the neutral delivery errors the core understands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)

from handlers.core.messenger import (
    DeliveryError,
    PermanentError,
    RecipientUnreachable,
    RetryAfter,
    TransientError,
)


def to_delivery_error(error: TelegramAPIError | ClientDecodeError) -> DeliveryError:
    """The neutral error for an aiogram one.

    Errors with no clear meaning (401 after a token was revoked, 409, an unreadable answer)
    count as transient: retrying later loses nothing, while calling them permanent would drop
    messages that matter.
    """
    message = str(error)
    match error:
        case TelegramRetryAfter():
            return RetryAfter(float(error.retry_after), message)
        case TelegramForbiddenError():
            return RecipientUnreachable(message)
        case TelegramServerError() | TelegramNetworkError() | ClientDecodeError():
            return TransientError(message)
        case (
            TelegramBadRequest()
            | TelegramNotFound()
            | TelegramEntityTooLarge()
            | TelegramMigrateToChat()
        ):
            return PermanentError(message)
        case _:
            return TransientError(message)


@contextmanager
def neutral_errors() -> Iterator[None]:
    """Re-raise aiogram errors from the block as neutral ones."""
    try:
        yield
    except (TelegramAPIError, ClientDecodeError) as error:
        raise to_delivery_error(error) from error
