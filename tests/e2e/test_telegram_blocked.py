"""A reader who blocked the bot (Telegram 403) is marked unreachable, and reachable again
once they write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import Application
from bot.playground.platforms.telegram_server import FakeTelegramServer
from handlers.core.replies import Reply
from storage.models import Address, OutboxStatus, Platform
from tests.e2e.conftest import Launcher
from tests.e2e.telegram_client import eventually, say, sends_to, text_of, wait_outbox

READER = 5301
ADDRESS = Address(Platform.TELEGRAM, READER)
KEYS = ["reminder:blocked:1", "reminder:blocked:2", "digest:blocked:3"]


async def reachable(app: Application) -> bool:
    reader = await app.storage.readers.get(ADDRESS)
    assert reader is not None
    return reader.reachable


async def block_with_three_rows(telegram: FakeTelegramServer, app: Application) -> None:
    """The reader has met the bot, then blocks it while three rows for them are queued.

    The rows become due together a moment later, so the sender claims them in one batch
    whatever its poll timing.
    """
    await say(telegram, READER, "/start")
    telegram.block_next(READER, count=1)
    due = datetime.now(UTC) + timedelta(seconds=1)
    for number, key in enumerate(KEYS, 1):
        reply = Reply(text=f"Сообщение библиотеки №{number}").to_dict()
        await app.storage.outbox.enqueue(key, ADDRESS, reply, not_before=due)
    app.sender.notify()


async def test_403_fails_the_row_cancels_the_rest_and_marks_the_reader(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await launch(telegram=telegram)
    await block_with_three_rows(telegram, app)

    rows = await wait_outbox(
        app.storage,
        [OutboxStatus.FAILED, OutboxStatus.CANCELLED, OutboxStatus.CANCELLED],
        peer_id=READER,
    )
    assert [key for key, _ in rows] == KEYS
    assert not await reachable(app)
    await app.stop()
    assert len(sends_to(telegram, READER)) == 2, "the welcome, then only the refused row"
    assert len(telegram.sent_to(READER)) == 1


async def test_reader_who_writes_again_is_reachable_again(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await launch(telegram=telegram)
    await block_with_three_rows(telegram, app)
    await wait_outbox(
        app.storage,
        [OutboxStatus.FAILED, OutboxStatus.CANCELLED, OutboxStatus.CANCELLED],
        peer_id=READER,
    )
    assert not await reachable(app)

    answer = await say(telegram, READER, "/help")
    assert "Здесь мы отвечаем на вопросы читателей" in text_of(answer)
    assert await reachable(app)

    await app.storage.outbox.enqueue(
        "reminder:unblocked", ADDRESS, Reply("Снова на связи").to_dict()
    )
    app.sender.notify()
    await wait_outbox(
        app.storage,
        [OutboxStatus.FAILED, OutboxStatus.CANCELLED, OutboxStatus.CANCELLED, OutboxStatus.SENT],
        peer_id=READER,
    )
    assert telegram.sent_to(READER)[-1].text == "Снова на связи"


async def test_403_on_an_interactive_reply_marks_the_reader_unreachable(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await launch(telegram=telegram)
    await say(telegram, READER, "/start")
    telegram.block_next(READER)

    telegram.push_message(READER, "/help")
    await telegram.wait_for(lambda: len(sends_to(telegram, READER)) == 2, timeout=30)
    await eventually(lambda: _unreachable(app), what="reader marked unreachable")

    answer = await say(telegram, READER, "/help")
    assert "Здесь мы отвечаем на вопросы читателей" in text_of(answer)
    assert await reachable(app)


async def _unreachable(app: Application) -> bool:
    return not await reachable(app)
