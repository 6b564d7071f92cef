"""Staff on VK answer while the bot restarts: the answer is read after the restart and
reaches the Telegram reader once."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from storage.models import TicketMessageKind, TicketStatus
from tests.e2e import telegram_client as tg
from tests.e2e import vk_client
from tests.e2e.conftest import Launcher
from tests.e2e.desk_cross_client import (
    VK_STAFF_SETTINGS,
    status_becomes,
    vk_staff_answer_while_down,
)

READER = 43
STAFF = 9011
QUESTION = "Есть ли в фонде «Руководство по кардиологии» под ред. Чазова?"
ANSWER = "Да, четырёхтомник 2014 года, абонемент, шифр 616.12 Р85"


async def test_a_vk_staff_answer_typed_during_a_restart_reaches_the_reader_once(
    vk: FakeVkServer, telegram: FakeTelegramServer, launch: Launcher
) -> None:
    number, before = await vk_staff_answer_while_down(
        launch, vk, telegram, reader=READER, staff=STAFF, question=QUESTION, answer=ANSWER
    )
    app = await vk_client.start(launch, vk, telegram, **VK_STAFF_SETTINGS)

    answer = await tg.reply_after(telegram, READER, before)
    assert f"Ответ библиотеки на ваш запрос №{number}" in tg.text_of(answer)
    assert ANSWER in tg.text_of(answer)
    await status_becomes(app, number, TicketStatus.ANSWERED)
    staff_messages = [
        m for m in await app.storage.tickets.messages(number) if m.kind is TicketMessageKind.STAFF
    ]
    assert [m.text for m in staff_messages] == [ANSWER]
    await app.stop()
    assert [tg.text_of(m) for m in telegram.sent_to(READER)[before:]] == [tg.text_of(answer)]
