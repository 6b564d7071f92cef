"""A reader links a card with a PIN through the real application on both fakes (the demo
circulation system, with a distinctive PIN): the PIN reaches the circulation system and
nothing else. It is in no log line (DEBUG), no byte of the SQLite files, no request the bot
made to Telegram or VK, and no staff-chat message; on Telegram its message is deleted."""

from __future__ import annotations

import logging

import pytest

from bot import app as application
from bot.ils.demo import DEMO_CARD, DemoIls
from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from bot.settings import Settings
from storage.types import Clock
from tests.e2e import telegram_client as tg
from tests.e2e import vk_client
from tests.e2e.conftest import STAFF_CHAT_ID, Launcher
from tests.e2e.desk_client import wait_outbox_idle
from tests.e2e.desk_cross_client import vk_consenting_reader
from tests.storage.traces import file_bytes

SECRET_PIN = "Pq8-PIN-73150"
TELEGRAM_READER = 5501
VK_READER = 7501


@pytest.fixture(autouse=True)
def distinctive_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    def demo(settings: Settings, clock: Clock) -> DemoIls:
        return DemoIls(clock, pin=SECRET_PIN)

    monkeypatch.setattr(application, "build_ils", demo)


async def test_the_pin_goes_to_the_circulation_system_and_nowhere_else(
    telegram: FakeTelegramServer,
    vk: FakeVkServer,
    launch: Launcher,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    app = await vk_client.start(launch, vk, telegram, ils_backend="demo")

    await tg.say(telegram, TELEGRAM_READER, "/start")
    await tg.press(telegram, TELEGRAM_READER, "consent:yes")
    await tg.press(telegram, TELEGRAM_READER, "menu:loans")
    await tg.press(telegram, TELEGRAM_READER, "ln:link")
    prompt = await tg.say(telegram, TELEGRAM_READER, DEMO_CARD)
    assert "PIN-код" in tg.text_of(prompt)
    update = telegram.push_message(TELEGRAM_READER, SECRET_PIN)
    pin_message = update["message"]["message_id"]
    await telegram.wait_for(
        lambda: any("привязан" in tg.text_of(m) for m in telegram.sent_to(TELEGRAM_READER)),
        timeout=30,
    )
    linked = next(m for m in telegram.sent_to(TELEGRAM_READER) if "привязан" in tg.text_of(m))
    assert "Сообщение с PIN-кодом удалено из чата." in tg.text_of(linked)
    assert telegram.deleted_user_messages == [(TELEGRAM_READER, pin_message)]
    listing = await tg.press(telegram, TELEGRAM_READER, "menu:loans")
    assert "⚠️" in tg.text_of(listing)
    renewed = await tg.press(telegram, TELEGRAM_READER, tg.payloads(listing)[1] or "")
    assert "продлена до" in tg.text_of(renewed)

    await vk_consenting_reader(vk, VK_READER)
    await vk_client.press(vk, VK_READER, "menu:loans")
    await vk_client.press(vk, VK_READER, "ln:link")
    vk_prompt = await vk_client.say(vk, VK_READER, DEMO_CARD)
    assert "удалите его сами" in vk_prompt.text
    vk_linked = await vk_client.say(vk, VK_READER, SECRET_PIN, until=vk_client.contains("привязан"))
    assert "удалено" not in vk_linked.text
    assert vk.calls_of("messages.delete") == []
    wrong = await vk_client.press(vk, VK_READER, "ln:link")
    assert wrong.text
    await vk_client.say(vk, VK_READER, DEMO_CARD)
    await vk_client.say(vk, VK_READER, "x" + SECRET_PIN, until=vk_client.contains("не подошёл"))

    await wait_outbox_idle(app)
    assert SECRET_PIN not in caplog.text
    assert all(SECRET_PIN not in repr(call) for call in telegram.calls)
    assert all(SECRET_PIN not in repr(call) for call in vk.calls)
    assert all(SECRET_PIN not in tg.text_of(m) for m in telegram.sent_to(STAFF_CHAT_ID))
    assert SECRET_PIN.encode() not in file_bytes(app.storage)
