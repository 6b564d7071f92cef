"""Failures while answering one update never stop the bot from answering the next."""

from __future__ import annotations

from tests.e2e.conftest import Launcher
from tests.e2e.telegram_client import REPLY_TIMEOUT, say, sends_to, text_of
from tests.fakes.telegram_server import FakeTelegramServer

READER = 5401
HELP = "отвечает здесь на вопросы читателей"


async def test_a_reply_refused_with_500_does_not_stop_the_next_answer(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    await launch(telegram=telegram)
    telegram.break_next(READER)

    telegram.push_message(READER, "/start")
    await telegram.wait_for(lambda: len(sends_to(telegram, READER)) == 1, timeout=REPLY_TIMEOUT)
    assert telegram.sent_to(READER) == [], "the welcome was refused with 500"

    answer = await say(telegram, READER, "/help")
    assert HELP in text_of(answer)


async def test_update_loop_survives_getupdates_failing_with_500(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    """The first three polls are refused, so the reader's message can only come through
    a poll made after them."""
    telegram.fail_next(method="getUpdates", count=3, status=500)
    await launch(telegram=telegram)

    welcome = await say(telegram, READER, "/start")

    assert "Кузбасская научная медицинская библиотека" in text_of(welcome)
    assert len(telegram.calls_of("getUpdates")) >= 4, "3 refused polls, then one that worked"
