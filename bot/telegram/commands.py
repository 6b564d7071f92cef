"""The command list Telegram shows in the reader's "Menu" button, in each catalogue language."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats

from handlers.core.features import Command
from handlers.core.i18n import Catalog

log = logging.getLogger(__name__)


async def publish_commands(bot: Bot, catalog: Catalog, commands: Sequence[Command]) -> None:
    """Set the reader commands the features list (``Command.description``) for private
    chats; the default language also serves clients in any other language. A failure is
    logged: the bot works without the list."""
    scope = BotCommandScopeAllPrivateChats()
    try:
        for language in catalog.languages:
            listed = _commands(catalog, language, commands)
            await bot.set_my_commands(listed, scope=scope, language_code=language)
        await bot.set_my_commands(_commands(catalog, catalog.default, commands), scope=scope)
    except TelegramAPIError as error:
        log.warning("could not publish the command list: %s", type(error).__name__)


def _commands(catalog: Catalog, language: str, commands: Sequence[Command]) -> list[BotCommand]:
    t = catalog.translator(language)
    return [
        BotCommand(command=command.name, description=t(command.description))
        for command in commands
        if command.description is not None
    ]
