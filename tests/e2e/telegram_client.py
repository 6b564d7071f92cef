"""A Telegram reader's side of an end-to-end test: write, press a button, read the answer.

Every helper goes through the fake Bot API server, so the whole application runs between the
update a reader sends and the message they get back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from bot.playground.platforms.telegram_server import ApiCall, FakeTelegramServer, SentMessage
from storage.database import Storage
from storage.models import OutboxStatus
from storage.schema import outbox

REPLY_TIMEOUT = 30.0
"""Seconds to wait for an answer: generous, because the bot paces itself at 1 message/s per
chat and test machines are noisy."""


async def reply_after(
    telegram: FakeTelegramServer,
    chat_id: int,
    before: int,
    *,
    timeout: float = REPLY_TIMEOUT,  # noqa: ASYNC109
) -> SentMessage:
    """The newest message in ``chat_id`` once it has more than ``before`` messages."""
    await telegram.wait_for(lambda: len(telegram.sent_to(chat_id)) > before, timeout=timeout)
    return telegram.sent_to(chat_id)[-1]


async def press(
    telegram: FakeTelegramServer,
    chat_id: int,
    data: str,
    *,
    timeout: float = REPLY_TIMEOUT,  # noqa: ASYNC109
) -> SentMessage:
    """Press the button with ``data`` under the newest message in the chat; the answer."""
    before = len(telegram.sent_to(chat_id))
    message = telegram.sent_to(chat_id)[-1]
    telegram.push_callback(chat_id, data, message.message_id)
    return await reply_after(telegram, chat_id, before, timeout=timeout)


async def say(
    telegram: FakeTelegramServer,
    chat_id: int,
    text: str,
    language_code: str | None = None,
    *,
    timeout: float = REPLY_TIMEOUT,  # noqa: ASYNC109
) -> SentMessage:
    """Send ``text`` from the reader in ``chat_id``; the answer."""
    before = len(telegram.sent_to(chat_id))
    telegram.push_message(chat_id, text, language_code=language_code)
    return await reply_after(telegram, chat_id, before, timeout=timeout)


def payloads(message: SentMessage) -> list[str | None]:
    """The callback data of the message's inline buttons, row by row."""
    return [data for row in message.buttons for _, data in row]


def text_of(message: SentMessage) -> str:
    return message.text or message.caption or ""


def sends_to(telegram: FakeTelegramServer, chat_id: int) -> list[ApiCall]:
    """The ``sendMessage`` calls for ``chat_id`` that reached the server, refused ones too."""
    return [
        call
        for call in telegram.calls_of("sendMessage")
        if str(call.params.get("chat_id")) == str(chat_id)
    ]


async def outbox_rows(storage: Storage, **where: Any) -> list[tuple[str, OutboxStatus]]:
    """``(idempotency key, status)`` of the outbox rows whose columns equal ``where``."""
    query = select(outbox.c.idempotency_key, outbox.c.status).order_by(outbox.c.id)
    for column, value in where.items():
        query = query.where(outbox.c[column] == value)
    async with storage.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [(key, OutboxStatus(status)) for key, status in rows]


async def eventually(
    check: Callable[[], Awaitable[bool]],
    *,
    timeout: float = REPLY_TIMEOUT,  # noqa: ASYNC109
    what: str = "condition",
) -> None:
    """Wait until the async ``check`` returns True, polling; fail after ``timeout`` seconds."""
    try:
        async with asyncio.timeout(timeout):
            while not await check():  # noqa: ASYNC110 - the state is in the database
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"{what} not met in {timeout}s") from None


async def wait_outbox(
    storage: Storage,
    statuses: list[OutboxStatus],
    *,
    timeout: float = REPLY_TIMEOUT,  # noqa: ASYNC109
    **where: Any,
) -> list[tuple[str, OutboxStatus]]:
    """Wait until the rows matching ``where`` have exactly ``statuses``, in id order."""
    rows: list[tuple[str, OutboxStatus]] = []

    async def settled() -> bool:
        nonlocal rows
        rows = await outbox_rows(storage, **where)
        return [status for _, status in rows] == statuses

    try:
        await eventually(settled, timeout=timeout, what=f"outbox rows {statuses}")
    except AssertionError as error:
        raise AssertionError(f"{error}; last seen {rows}") from None
    return rows
