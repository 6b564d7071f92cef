"""Accounts of delivery failures that are safe to log and to store in the outbox row."""

from __future__ import annotations

import re
from pathlib import Path

from handlers.core.messenger import DeliveryError

_MAX_LENGTH = 300
# A Telegram bot token ("123456:ABC-...") may sit in an API URL inside an error message.
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")


def describe(exc: BaseException) -> str:
    """The error class, plus the message for the adapters' own ``DeliveryError``s.

    Other exceptions come from anywhere (a library, a bug) and their messages may carry a URL
    with a token or a reader's text, so only their class and the line that raised are kept.
    """
    name = type(exc).__name__
    if isinstance(exc, DeliveryError):
        message = _TOKEN.sub("<token>", str(exc))
        return f"{name}: {message}"[:_MAX_LENGTH] if message else name
    return f"{name} at {_where(exc)}"


def _where(exc: BaseException) -> str:
    tb = exc.__traceback__
    if tb is None:
        return "unknown place"
    while tb.tb_next is not None:
        tb = tb.tb_next
    return f"{Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"
