"""Telegram failing while the bot starts does not leave it deaf."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from tests.e2e.conftest import Launcher
from tests.e2e.telegram_client import say


async def test_polling_starts_once_telegram_recovers(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    telegram.fail_next(count=2, status=500, method="deletewebhook")
    await launch(telegram=telegram)
    welcome = await say(telegram, 6001, "/start")
    assert "Здравствуйте" in (welcome.text or "")
    assert len(telegram.calls_of("deleteWebhook")) == 3
