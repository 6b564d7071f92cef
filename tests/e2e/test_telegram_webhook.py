"""Webhook mode: the bot registers its URL and secret, and serves only requests carrying it."""

from __future__ import annotations

import socket

import aiohttp

from bot.playground.platforms.telegram_server import FakeTelegramServer
from tests.e2e.conftest import Launcher
from tests.e2e.telegram_client import reply_after, text_of

READER = 5501
URL = "https://example.test/telegram/webhook"
SECRET = "s3cret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_webhook_serves_updates_with_the_secret_and_refuses_others(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    port = free_port()
    app = await launch(
        telegram=telegram,
        telegram_mode="webhook",
        telegram_webhook_url=URL,
        telegram_webhook_secret=SECRET,
        web_host="127.0.0.1",
        web_port=port,
    )
    assert telegram.webhook_url == URL
    assert telegram.webhook_secret == SECRET
    endpoint = f"http://127.0.0.1:{port}/telegram/webhook"

    async with aiohttp.ClientSession() as http:
        forged = telegram.message_update(READER, "/start")
        async with http.post(endpoint, json=forged, headers={SECRET_HEADER: "wrong"}) as response:
            assert response.status == 401
        async with http.post(endpoint, json=forged) as response:
            assert response.status == 401

        genuine = telegram.message_update(READER, "/start")
        async with http.post(endpoint, json=genuine, headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 200
        welcome = await reply_after(telegram, READER, 0)
    await app.stop()

    assert "Кузбасская научная медицинская библиотека" in text_of(welcome)
    assert telegram.calls_of("getUpdates") == [], "no polling in webhook mode"
    assert len(telegram.sent_to(READER)) == 1, "the refused updates were not answered"
