"""Addresses and small helpers shared by the outbox tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from bot.outbox import OutboxSender
from handlers.core.ports import Outbox
from handlers.core.replies import Reply
from storage.models import Address, Platform

ALICE = Address(Platform.TELEGRAM, 1001)
BORIS = Address(Platform.TELEGRAM, 1002)
VERA = Address(Platform.VK, 2001)

SenderFactory = Callable[..., OutboxSender]
"""Builds a sender over the test fixtures; see the ``make_sender`` fixture."""


async def put(
    outbox: Outbox,
    key: str,
    address: Address,
    text: str = "hello",
    not_before: datetime | None = None,
) -> None:
    """Enqueue a plain-text reply, asserting the key was new."""
    assert await outbox.enqueue(key, address, Reply(text).to_dict(), not_before=not_before)


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait until ``condition`` holds, giving up after some seconds so a hung test fails."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the condition never held")
