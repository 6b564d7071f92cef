"""Keeping the bot token out of log lines.

The token is part of every Bot API URL, and aiohttp puts URLs into some exception messages
(a failed file download, for one). Our own code never logs it; this filter also scrubs it
from what aiogram and aiohttp log.
"""

from __future__ import annotations

import logging

REDACTED = "<telegram-token>"

_LOGGERS = (
    "aiogram",
    "aiogram.dispatcher",
    "aiogram.event",
    "aiogram.middlewares",
    "aiogram.webhook",
    "aiogram.scene",
    "aiohttp.access",
    "aiohttp.client",
    "aiohttp.internal",
    "aiohttp.server",
    "aiohttp.web",
    "asyncio",
)


class TokenRedactingFilter(logging.Filter):
    """Replaces the token in a record's message and traceback text."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, REDACTED)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, REDACTED)
        return True


def redact_token_in_logs(token: str) -> None:
    """Install the filter on the loggers that might see the token. Safe to call again."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        already = any(
            isinstance(f, TokenRedactingFilter) and f.token == token for f in logger.filters
        )
        if not already:
            logger.addFilter(TokenRedactingFilter(token))
