"""LOAD TEST. Two ``python -m bot`` processes on one PostgreSQL database, in webhook mode
behind one fake Telegram server, sharing Telegram's limits through Redis; the test is the load
balancer, handing updates to the two in turn. Needs TEST_DATABASE_URL and a Redis."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
import pytest

from storage.migrate import upgrade
from tests.e2e.threaded_fake import ThreadedTelegramServer
from tests.ops.conftest import eventually, needs_postgres
from tests.ops.test_shared_limiters import REDIS_URL
from tests.support.processes import bot_command

READERS = 1000
FIRST_CHAT = 800_000
URL = "https://bot.library.example/telegram/webhook"
SECRET = "webhook-s3cret"
LIBRARY = "Кузбасская научная медицинская библиотека"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def update(number: int, chat: int) -> dict[str, object]:
    person = {"id": chat, "is_bot": False, "first_name": "Reader"}
    message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private", "first_name": "Reader"},
        "from": person,
        "text": "/start",
    }
    return {"update_id": number, "message": message}


@pytest.fixture
async def redis_url() -> str:
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (RedisError, OSError):
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    finally:
        await client.aclose()
    return REDIS_URL


@pytest.fixture
async def strict_telegram() -> AsyncIterator[ThreadedTelegramServer]:
    async with ThreadedTelegramServer(enforce_limits=True) as server:
        yield server


@needs_postgres
async def test_two_processes_answer_a_thousand_readers_once_within_the_limits(
    postgres_url: str, redis_url: str, strict_telegram: ThreadedTelegramServer
) -> None:
    telegram = strict_telegram.fake
    await upgrade(postgres_url)
    ports = [free_port(), free_port()]
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TELEGRAM_", "VK_", "STAFF_", "DATABASE_URL", "REDIS_URL"))
    } | {
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis_url,
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_BASE": telegram.base_url,
        "TELEGRAM_MODE": "webhook",
        "TELEGRAM_WEBHOOK_URL": URL,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "LIBRARY_NAME": LIBRARY,
        "WEB_HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    processes = [
        await asyncio.create_subprocess_exec(
            *bot_command(), env=environment | {"WEB_PORT": str(port)}
        )
        for port in ports
    ]
    chats = range(FIRST_CHAT, FIRST_CHAT + READERS)
    try:
        async with aiohttp.ClientSession() as http:

            async def ready(port: int) -> bool:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                        return response.status == 200
                except aiohttp.ClientError:
                    return False

            async with asyncio.timeout(60):
                while not all([await ready(port) for port in ports]):  # noqa: ASYNC110
                    await asyncio.sleep(0.2)

            async def deliver(number: int, chat: int) -> None:
                port = ports[number % 2]
                async with http.post(
                    f"http://127.0.0.1:{port}/telegram/webhook",
                    json=update(number, chat),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                ) as response:
                    assert response.status == 200

            await asyncio.gather(*(deliver(n, chat) for n, chat in enumerate(chats, 1)))
        await eventually(lambda: len(telegram.sent) >= READERS, within=180)
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            await process.wait()

    per_chat = Counter(message.chat_id for message in telegram.sent)
    assert set(per_chat) == set(chats)
    assert max(per_chat.values()) == 1, "no reader got the welcome twice"
    assert all(LIBRARY in (message.text or "") for message in telegram.sent)
    # The shared limiter holds each call's slot until its answer, so however late a loaded
    # process sends an admitted message, the fake never sees more than Telegram allows.
    assert telegram.too_many_requests == 0
    assert [process.returncode for process in processes] == [0, 0]
