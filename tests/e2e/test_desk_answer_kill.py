"""``kill -9`` of ``python -m bot`` between storing a staff answer and queueing it: after the
restart the answer reaches the reader once, and the ticket's history holds it once.

The staff chat is on VK, whose long poll the bot resumes from the last fully handled ``ts``,
so the staff message the killed process was handling is read again after the restart. The
bot process kills itself with SIGKILL the moment the answer's outbox row is about to be
written, after the answer's ticket message was.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from sqlalchemy import select

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from storage.database import Storage
from storage.models import TicketMessageKind, TicketStatus
from storage.schema import outbox
from tests.e2e import telegram_client as tg
from tests.e2e import vk_client
from tests.e2e.conftest import Launcher
from tests.e2e.desk_cross_client import (
    VK_STAFF_CHAT,
    VK_STAFF_SETTINGS,
    status_becomes,
    vk_staff_answer_while_down,
)
from tests.support.processes import bot_command, bot_environment

READER = 44
STAFF = 9012
QUESTION = "Есть ли в фонде «Национальное руководство. Кардиология» 2021 года?"
ANSWER = "Да, есть: читальный зал, шифр 616.12 К27"


async def test_a_kill_between_storing_and_queueing_an_answer_loses_and_repeats_nothing(
    tmp_path: Path,
    database_url: str,
    vk: FakeVkServer,
    telegram: FakeTelegramServer,
    launch: Launcher,
) -> None:
    number, before = await vk_staff_answer_while_down(
        launch, vk, telegram, reader=READER, staff=STAFF, question=QUESTION, answer=ANSWER
    )
    process = await asyncio.create_subprocess_exec(
        *bot_command(die_before=("INSERT INTO outbox", "answer:")),
        cwd=tmp_path,
        env=bot_environment(database_url, telegram, vk, STAFF_CHAT=f"vk:{VK_STAFF_CHAT}"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert await asyncio.wait_for(process.wait(), 60) == -signal.SIGKILL
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    async with Storage.open(database_url) as storage:
        kinds = [m.kind for m in await storage.tickets.messages(number)]
        async with storage.engine.connect() as conn:
            answers = (
                await conn.execute(
                    select(outbox.c.id).where(outbox.c.idempotency_key.like("answer:%"))
                )
            ).all()
    assert kinds == [TicketMessageKind.READER], "the answer's message died with its transaction"
    assert answers == []
    assert len(telegram.sent_to(READER)) == before

    app = await vk_client.start(launch, vk, telegram, **VK_STAFF_SETTINGS)
    answer = await tg.reply_after(telegram, READER, before)
    assert ANSWER in tg.text_of(answer)
    await status_becomes(app, number, TicketStatus.ANSWERED)
    staff_messages = [
        m.text
        for m in await app.storage.tickets.messages(number)
        if m.kind is TicketMessageKind.STAFF
    ]
    assert staff_messages == [ANSWER]
    await app.stop()
    assert [tg.text_of(m) for m in telegram.sent_to(READER)[before:]] == [tg.text_of(answer)]
