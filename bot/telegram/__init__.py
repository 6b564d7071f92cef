"""The Telegram adapter: an aiogram 3 bot behind the neutral messenger port and events."""

from bot.telegram.errors import neutral_errors, to_delivery_error
from bot.telegram.factory import create_bot
from bot.telegram.messenger import TelegramMessenger
from bot.telegram.runner import (
    ALLOWED_UPDATES,
    NeutralHandler,
    TelegramRunner,
    run_polling,
    setup_webhook,
    start_webhook,
)
from bot.telegram.throttling import ThrottlingMiddleware, counts_as_message
from bot.telegram.updates import event_from_callback, event_from_message

__all__ = [
    "ALLOWED_UPDATES",
    "NeutralHandler",
    "TelegramMessenger",
    "TelegramRunner",
    "ThrottlingMiddleware",
    "counts_as_message",
    "create_bot",
    "event_from_callback",
    "event_from_message",
    "neutral_errors",
    "run_polling",
    "setup_webhook",
    "start_webhook",
    "to_delivery_error",
]
