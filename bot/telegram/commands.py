"""The command list Telegram shows in the reader's "Menu" button, in each catalogue language."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats

from handlers.i18n import Catalog

log = logging.getLogger(__name__)

READER_COMMANDS = ("start", "help", "language", "forget", "cancel")


async def publish_commands(bot: Bot, catalog: Catalog) -> None:
    """Set the reader commands for private chats; the default language also serves clients in
    any other language. A failure is logged: the bot works without the list."""
    scope = BotCommandScopeAllPrivateChats()
    try:
        for language in catalog.languages:
            commands = _commands(catalog, language)
            await bot.set_my_commands(commands, scope=scope, language_code=language)
        await bot.set_my_commands(_commands(catalog, catalog.default), scope=scope)
    except TelegramAPIError as error:
        log.warning("could not publish the command list: %s", type(error).__name__)


def _commands(catalog: Catalog, language: str) -> list[BotCommand]:
    t = catalog.translator(language)
    return [BotCommand(command=name, description=t(f"command-{name}")) for name in READER_COMMANDS]
