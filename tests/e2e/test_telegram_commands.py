"""The reader command list appears in Telegram's menu in both languages."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from tests.e2e.conftest import Launcher


async def test_command_list_is_published_in_both_languages(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    await launch(telegram=telegram)
    calls = telegram.calls_of("setMyCommands")
    languages = {str(call.params.get("language_code", "")) for call in calls}
    assert {"ru", "en", ""} <= languages
    assert any("forget" in str(call.params.get("commands")) for call in calls)
