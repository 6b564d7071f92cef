"""Failures while answering one update never stop the bot from answering the next."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from storage.models import OutboxStatus
from tests.e2e.conftest import Launcher
from tests.e2e.telegram_client import say, sends_to, text_of, wait_outbox

READER = 5401
HELP = "Здесь мы отвечаем на вопросы читателей"
LIBRARY = "Кузбасская научная медицинская библиотека"


async def test_a_reply_refused_with_500_comes_later_and_the_next_is_answered(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    """The welcome is refused once with 500: it is deferred to the outbox and delivered from
    there, and the reader's next message is answered as usual."""
    app = await launch(telegram=telegram)
    telegram.break_next(READER)

    welcome = await say(telegram, READER, "/start")

    assert LIBRARY in text_of(welcome)
    assert len(sends_to(telegram, READER)) == 2, "refused once, then sent from the outbox"
    [(key, _)] = await wait_outbox(app.storage, [OutboxStatus.SENT], peer_id=READER)
    assert key.startswith("reply:")
    answer = await say(telegram, READER, "/help")
    assert HELP in text_of(answer)
    assert len(telegram.sent_to(READER)) == 2


async def test_update_loop_survives_getupdates_failing_with_500(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    """The first three polls are refused, so the reader's message can only come through
    a poll made after them."""
    telegram.fail_next(method="getUpdates", count=3, status=500)
    await launch(telegram=telegram)

    welcome = await say(telegram, READER, "/start")

    assert LIBRARY in text_of(welcome)
    assert len(telegram.calls_of("getUpdates")) >= 4, "3 refused polls, then one that worked"
