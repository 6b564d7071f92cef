"""A VK reader's side of an end-to-end test: say something, press a button, read the answer.

Every helper goes through the fake VK server over HTTP: messages and button presses are
queued for the application's Bots Long Poll, answers are read from what the fake recorded.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from bot.app import Application
from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import Delivery, Edit, FakeVkServer
from tests.e2e.conftest import Launcher

WITHIN = 15.0
"""Generous: these tests prove behaviour, not speed, and CI machines are noisy."""

START_PAYLOAD = {"command": "start"}
"""What VK's «Начать» button sends in a new conversation."""


async def start(
    launch: Launcher,
    vk: FakeVkServer,
    telegram: FakeTelegramServer | None = None,
    **overrides: Any,
) -> Application:
    """Launch the application on ``vk`` (and ``telegram``) and wait until its long poll is
    listening."""
    checks = vk.long_poll_checks
    app = await launch(vk=vk, telegram=telegram, **overrides)
    await connected(vk, after_checks=checks)
    return app


async def connected(vk: FakeVkServer, *, after_checks: int = 0) -> None:
    """Wait until the application's long poll waits for updates, so that nothing pushed from
    now on is missed (VK only hands out updates newer than the ``ts`` a poller holds)."""
    await vk.wait_for_poller(after_checks=after_checks, within=WITHIN)


async def reply_after(
    vk: FakeVkServer,
    peer: int,
    before: int,
    until: Callable[[Delivery], bool] | None = None,
) -> Delivery:
    """The first message to ``peer`` after the first ``before`` ones that satisfies ``until``
    (any message when ``until`` is None)."""

    def found() -> Delivery | None:
        return next(
            (d for d in vk.sent_to(peer)[before:] if until is None or until(d)),
            None,
        )

    await vk.wait_for(lambda: found() is not None, within=WITHIN)
    delivery = found()
    assert delivery is not None
    return delivery


async def say(
    vk: FakeVkServer,
    peer: int,
    text: str = "",
    *,
    until: Callable[[Delivery], bool] | None = None,
    **message: Any,
) -> Delivery:
    """Send a ``message_new`` as ``peer`` and return the bot's answer. Keyword arguments go to
    ``FakeVkServer.build_message_new`` (``payload``, ``attachments``, ``inline_keyboard`` …)."""
    before = len(vk.sent_to(peer))
    vk.push_message(peer, text, **message)
    return await reply_after(vk, peer, before, until)


async def press(
    vk: FakeVkServer,
    peer: int,
    payload: str,
    *,
    until: Callable[[Delivery], bool] | None = None,
) -> Delivery:
    """Press a callback button carrying the neutral ``payload`` (as the adapter sends it:
    ``{"p": payload}``) under the last message, and return the bot's answer."""
    sent = vk.sent_to(peer)
    before = len(sent)
    cmid = sent[-1].conversation_message_id if sent else 1
    vk.push_message_event(peer, {"p": payload}, conversation_message_id=cmid)
    return await reply_after(vk, peer, before, until)


async def eventually(condition: Callable[[], Awaitable[bool]], *, within: float = WITHIN) -> None:
    """Wait until the async ``condition()`` holds (for state in the database, which the fakes'
    ``wait_for`` cannot look at); fail after ``within`` seconds."""
    try:
        async with asyncio.timeout(within):
            # Polling, because the condition looks at the database, which signals nothing.
            while not await condition():  # noqa: ASYNC110
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"condition not met within {within}s") from None


def actions(delivery: Delivery | Edit) -> list[dict[str, Any]]:
    """The keyboard's button actions in display order (empty when there is no keyboard)."""
    rows = (delivery.keyboard or {}).get("buttons", [])
    return [button["action"] for row in rows for button in row]


def payloads(delivery: Delivery | Edit) -> list[str | None]:
    """The neutral payloads of the keyboard's buttons, in display order."""
    result: list[str | None] = []
    for action in actions(delivery):
        raw = action.get("payload")
        value = json.loads(raw) if isinstance(raw, str) else None
        result.append(value.get("p") if isinstance(value, dict) else None)
    return result


def contains(text: str) -> Callable[[Delivery], bool]:
    """``until`` for an answer whose text contains ``text``."""
    return lambda delivery: text in delivery.text
