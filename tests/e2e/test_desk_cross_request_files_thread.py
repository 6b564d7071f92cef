"""In a plain staff chat, the post carrying a request's files belongs to the ticket's thread:
it should reply to the card, as every later post of the ticket does."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from tests.e2e import vk_client
from tests.e2e.conftest import Launcher
from tests.e2e.desk_cross_client import (
    VK_STAFF_CHAT,
    card_id,
    telegram_consenting_reader,
    telegram_submit,
    vk_chat_message,
    vk_text_has,
)

READER = 42


async def test_the_request_files_post_replies_to_the_card_in_a_vk_staff_chat(
    vk: FakeVkServer, telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await vk_client.start(launch, vk, telegram, staff_chat=f"vk:{VK_STAFF_CHAT}")
    await telegram_consenting_reader(telegram, READER)
    number = await telegram_submit(
        telegram, READER, "address", "Кардиология, 2019, № 4", (b"%PDF-1.4 scan", "scan.pdf")
    )
    card_cmid = await card_id(app, number)
    files = await vk_chat_message(vk, VK_STAFF_CHAT, vk_text_has(f"Файлы к запросу №{number}"))
    assert files.reply_to == card_cmid
