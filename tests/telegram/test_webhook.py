"""Webhook mode: updates with the right secret are processed, others refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiohttp import web

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.telegram import TelegramRunner, start_webhook
from tests.telegram.conftest import Collector

SECRET = "webhook-Secret_123"
PATH = "/telegram/webhook"


@pytest.fixture
def collector() -> Collector:
    return Collector()


@pytest.fixture
async def webhook_url(bot: Bot, collector: Collector) -> AsyncIterator[str]:
    app = web.Application()
    TelegramRunner(bot, collector).setup_webhook(app, path=PATH, secret=SECRET)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}{PATH}"
    await runner.cleanup()


async def _post(url: str, update: dict[str, Any], headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers) as response,
    ):
        return response.status


async def test_an_update_with_the_right_secret_is_processed(
    server: FakeTelegramServer, webhook_url: str, collector: Collector
) -> None:
    update = server.message_update(1001, "hello from the webhook")

    status = await _post(webhook_url, update, {"X-Telegram-Bot-Api-Secret-Token": SECRET})

    assert status == 200
    await server.wait_for(lambda: len(collector.events) == 1)
    assert collector.events[0].text == "hello from the webhook"


@pytest.mark.parametrize(
    "headers",
    [{"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {}],
    ids=["wrong-secret", "no-secret"],
)
async def test_an_update_without_the_secret_is_refused(
    server: FakeTelegramServer,
    webhook_url: str,
    collector: Collector,
    headers: dict[str, str],
) -> None:
    status = await _post(webhook_url, server.message_update(1002, "forged"), headers)

    assert status in (401, 403)
    # A correctly signed update sent afterwards is seen alone: the forged one never was.
    await _post(
        webhook_url,
        server.message_update(1002, "genuine"),
        {"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    await server.wait_for(lambda: len(collector.events) == 1)
    assert [e.text for e in collector.events] == ["genuine"]


async def test_start_webhook_registers_the_url_and_secret(
    server: FakeTelegramServer, bot: Bot
) -> None:
    await start_webhook(bot, "https://library.example.org/telegram/webhook", SECRET)

    assert server.webhook_url == "https://library.example.org/telegram/webhook"
    assert server.webhook_secret == SECRET
    [call] = server.calls_of("setWebhook")
    assert call.params["allowed_updates"] == '["message", "callback_query"]'


@pytest.mark.parametrize("secret", ["", "has space", "x" * 257, "кириллица"])
async def test_a_secret_telegram_would_reject_is_refused_early(bot: Bot, secret: str) -> None:
    with pytest.raises(ValueError, match="webhook secret"):
        TelegramRunner(bot, Collector()).setup_webhook(web.Application(), path=PATH, secret=secret)
