"""The fake Bot API itself behaves like Telegram where the tests rely on it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.telegram import TelegramMessenger
from handlers.core.replies import Reply
from storage.models import Address, Platform


async def test_callback_data_over_64_bytes_is_rejected(bot: Bot) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="é" * 33)]]
    )

    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1, "hi", reply_markup=markup)


async def test_text_over_4096_is_rejected(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1, "я" * 4097)


async def test_json_bodies_are_accepted_too(server: FakeTelegramServer) -> None:
    url = f"{server.base_url}/bot{server.token}/sendMessage"
    body = {
        "chat_id": 5,
        "text": "json",
        "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    }

    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        answer = json.loads(await response.text())

    assert answer["ok"] is True
    assert server.sent_to(5)[0].buttons == [[("A", "a")]]


async def post_raw(server: FakeTelegramServer, method: str, body: dict[str, object]) -> Any:
    url = f"{server.base_url}/bot{server.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        answer = json.loads(await response.text())
    assert response.status == (200 if answer["ok"] else answer["error_code"])
    return answer


async def test_disable_web_page_preview_is_rejected(server: FakeTelegramServer) -> None:
    """Bot API 7.0 replaced it with ``link_preview_options``; the current API has no such
    parameter, so the fake refuses it as Telegram's documentation would have it refused."""
    answer = await post_raw(
        server, "sendMessage", {"chat_id": 5, "text": "hi", "disable_web_page_preview": True}
    )

    assert answer == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: unknown parameter disable_web_page_preview",
    }
    assert server.sent_to(5) == []


@pytest.mark.parametrize(
    ("method", "body", "unknown"),
    [
        ("sendMessage", {"chat_id": 5, "text": "hi", "colour": "red"}, "colour"),
        ("editMessageText", {"chat_id": 5, "message_id": 1, "preview": False}, "preview"),
        ("getMe", {"verbose": True}, "verbose"),
        ("answerCallbackQuery", {"callback_query_id": "q", "alert": True}, "alert"),
    ],
)
async def test_parameters_the_method_does_not_define_are_rejected(
    server: FakeTelegramServer, method: str, body: dict[str, object], unknown: str
) -> None:
    answer = await post_raw(server, method, body)

    assert answer == {
        "ok": False,
        "error_code": 400,
        "description": f"Bad Request: unknown parameter {unknown}",
    }


async def test_every_parameter_the_current_api_defines_is_accepted(
    server: FakeTelegramServer,
) -> None:
    answer = await post_raw(
        server,
        "sendMessage",
        {
            "chat_id": 5,
            "text": "hi",
            "link_preview_options": {"is_disabled": True},
            "disable_notification": True,
            "protect_content": False,
        },
    )

    assert answer["ok"] is True


async def test_a_wrong_token_is_unauthorized(server: FakeTelegramServer) -> None:
    url = f"{server.base_url}/bot1:wrong/getMe"

    async with aiohttp.ClientSession() as session, session.post(url) as response:
        assert response.status == 401


async def test_get_updates_confirms_by_offset(server: FakeTelegramServer, bot: Bot) -> None:
    server.push_message(1, "a")
    server.push_message(1, "b")

    first = await bot.get_updates(timeout=0)
    rest = await bot.get_updates(offset=first[0].update_id + 1, timeout=0)

    assert [u.message.text for u in first if u.message] == ["a", "b"]
    assert [u.message.text for u in rest if u.message] == ["b"]


async def test_get_updates_waits_for_a_push(server: FakeTelegramServer, bot: Bot) -> None:
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_for(lambda: len(server.calls_of("getUpdates")) == 1)
    server.push_message(1, "late")

    updates = await waiting

    assert [u.message.text for u in updates if u.message] == ["late"]


async def test_get_updates_is_refused_while_a_webhook_is_set(bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook")

    with pytest.raises(TelegramConflictError):
        await bot.get_updates(timeout=0)


async def test_a_held_send_is_delivered_but_answered_only_on_release(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    hold = server.hold(1101)
    sending = asyncio.create_task(messenger.send(Address(Platform.TELEGRAM, 1101), Reply("x")))

    await hold.wait_held()
    assert [m.text for m in server.sent_to(1101)] == ["x"]
    assert not sending.done()

    hold.release()
    assert await sending == server.sent_to(1101)[0].message_id


async def test_scripted_failures_hit_only_their_chat_and_count(
    server: FakeTelegramServer, bot: Bot
) -> None:
    server.break_next(1, count=2)

    await bot.send_message(2, "other chat is fine")
    for _ in range(2):
        with pytest.raises(Exception, match="Internal Server Error"):
            await bot.send_message(1, "x")
    await bot.send_message(1, "recovered")

    assert [m.text for m in server.sent] == ["other chat is fine", "recovered"]
