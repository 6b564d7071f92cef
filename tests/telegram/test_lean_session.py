"""A sent text's answer is parsed only as far as the bot reads it; every other answer, and
every error, exactly as aiogram parses it (``bot.telegram.lean_session``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)
from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import Message

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.telegram.lean_session import LeanAiohttpSession

SENT: dict[str, Any] = {
    "message_id": 77,
    "date": 1_795_000_000,
    "chat": {"id": 501, "type": "private", "first_name": "Анна"},
    "message_thread_id": 5,
    "from": {"id": 1, "is_bot": True, "first_name": "Library"},
    "text": "Ответ",
    "reply_markup": {"inline_keyboard": [[{"text": "Меню", "callback_data": "menu"}]]},
}
SEND = SendMessage(chat_id=501, text="Ответ")


def _answer(**fields: Any) -> str:
    return json.dumps(fields)


@pytest.fixture
async def session() -> Any:
    opened = LeanAiohttpSession()
    yield opened
    await opened.close()


def test_a_sent_text_keeps_its_id_chat_date_and_thread_bound_to_the_bot(
    session: LeanAiohttpSession, bot: Bot
) -> None:
    response = session.check_response(bot, SEND, 200, _answer(ok=True, result=SENT))

    message = response.result
    assert isinstance(message, Message)
    assert message.message_id == 77
    assert (message.chat.id, message.chat.type, message.chat.first_name) == (501, "private", "Анна")
    assert message.date == datetime.fromtimestamp(1_795_000_000, UTC)
    assert message.message_thread_id == 5
    assert message.bot is bot
    assert message.text is None, "not parsed: nothing here reads it"


def test_other_methods_get_aiogram_s_whole_message(session: LeanAiohttpSession, bot: Bot) -> None:
    photo = SendPhoto(chat_id=501, photo="file-id")

    message = session.check_response(bot, photo, 200, _answer(ok=True, result=SENT)).result

    assert isinstance(message, Message)
    assert message.text == "Ответ"
    assert message.reply_markup is not None


@pytest.mark.parametrize(
    ("status", "answer", "error"),
    [
        (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 7",
                "parameters": {"retry_after": 7},
            },
            TelegramRetryAfter,
        ),
        (
            400,
            {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: group upgraded",
                "parameters": {"migrate_to_chat_id": -100123},
            },
            TelegramMigrateToChat,
        ),
        (
            400,
            {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
            TelegramBadRequest,
        ),
        (
            403,
            {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"},
            TelegramForbiddenError,
        ),
    ],
)
def test_a_failed_send_raises_aiogram_s_own_error(
    session: LeanAiohttpSession, bot: Bot, status: int, answer: dict[str, Any], error: type
) -> None:
    with pytest.raises(error) as raised:
        session.check_response(bot, SEND, status, json.dumps(answer))

    if isinstance(raised.value, TelegramRetryAfter):
        assert raised.value.retry_after == 7
    if isinstance(raised.value, TelegramMigrateToChat):
        assert raised.value.migrate_to_chat_id == -100123


@pytest.mark.parametrize(
    "content",
    ["not json", _answer(ok=True, result={"message_id": "x"}), _answer(ok=True, result=True)],
)
def test_an_unreadable_answer_to_a_send_fails_as_aiogram_fails_it(
    session: LeanAiohttpSession, bot: Bot, content: str
) -> None:
    with pytest.raises(ClientDecodeError):
        session.check_response(bot, SEND, 200, content)


async def test_a_text_sent_through_the_fake_returns_the_id_it_was_given(
    server: FakeTelegramServer, bot: Bot
) -> None:
    assert isinstance(bot.session, LeanAiohttpSession)

    sent = await bot.send_message(501, "Ответ")

    [stored] = server.sent_to(501)
    assert sent.message_id == stored.message_id
    assert sent.chat.id == 501
