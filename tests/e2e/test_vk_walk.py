"""A VK reader walks first contact, consent, the menu, language and /forget over HTTP, against
the real application on the fake VK API (Bots Long Poll)."""

from __future__ import annotations

import pytest

from bot.playground.platforms.vk_server import Delivery, FakeVkServer
from storage.models import Address, Platform
from tests.e2e.conftest import Launcher
from tests.e2e.vk_client import (
    START_PAYLOAD,
    actions,
    contains,
    payloads,
    press,
    say,
    start,
)

READER = 7001
LIBRARY = "Кузбасская научная медицинская библиотека"
MAIN_MENU = ["menu:ask", "menu:mine", "menu:loans", "menu:new", "menu:settings"]


def assert_welcome(welcome: Delivery) -> None:
    assert LIBRARY in welcome.text
    assert "Ваши данные." in welcome.text, "the privacy notice"
    assert "/forget" in welcome.text
    assert "не даём медицинских консультаций" in welcome.text, "the medical disclaimer"
    assert welcome.keyboard is not None and welcome.keyboard["inline"] is True
    assert payloads(welcome) == ["consent:yes", "consent:no", *MAIN_MENU]
    assert {action["type"] for action in actions(welcome)} == {"callback"}
    assert "1." not in welcome.text, "no numbered fallback when the keyboard is shown"


@pytest.mark.parametrize(
    ("text", "payload"),
    [("Начать", START_PAYLOAD), ("Здравствуйте", None)],
    ids=["start-button", "any-first-message"],
)
async def test_first_contact_consent_menu_language_and_forget(
    vk: FakeVkServer, launch: Launcher, text: str, payload: dict[str, str] | None
) -> None:
    app = await start(launch, vk)
    address = Address(Platform.VK, READER)

    welcome = await say(vk, READER, text, payload=payload)
    assert_welcome(welcome)
    reader = await app.storage.readers.get(address)
    assert reader is not None and not reader.has_consent

    answers_before = len(vk.event_answers)
    menu = await press(vk, READER, "consent:yes")
    assert "Согласие записано" in menu.text
    assert payloads(menu) == MAIN_MENU
    await vk.wait_for(lambda: len(vk.event_answers) > answers_before)
    answer = vk.event_answers[-1]
    assert (answer.peer_id, answer.user_id) == (READER, READER)
    reader = await app.storage.readers.get(address)
    assert reader is not None and reader.has_consent
    assert reader.display_name == f"User{READER}", "the name comes from users.get"

    settings = await press(vk, READER, "menu:settings")
    assert "lang:ask" in payloads(settings)
    languages = await press(vk, READER, "lang:ask")
    assert payloads(languages) == ["lang:en", "lang:ru"]
    changed = await press(vk, READER, "lang:en")
    assert changed.text == "Language changed: English."
    assert actions(changed)[0]["label"] == "❓ Ask a librarian"
    help_text = await say(vk, READER, "/help")
    assert "Opening hours" in help_text.text
    assert LIBRARY in help_text.text

    confirm = await say(vk, READER, "/forget")
    assert payloads(confirm) == ["forget:yes", "forget:no"]
    done = await press(vk, READER, "forget:yes")
    assert "all your data has been erased" in done.text
    assert await app.storage.readers.get(address) is None
    assert len(vk.event_answers) == answers_before + 5, "every press was acknowledged"


async def test_client_without_inline_keyboards_answers_with_numbers(
    vk: FakeVkServer, launch: Launcher
) -> None:
    app = await start(launch, vk)

    welcome = await say(vk, READER, "Здравствуйте", inline_keyboard=False)
    assert welcome.keyboard is None
    assert "1. ✅ Согласен(на)\n2. Не сейчас\n3. ❓ Спросить библиотекаря" in welcome.text
    assert welcome.text.rstrip().endswith("7. ⚙️ Настройки и помощь")

    menu = await say(vk, READER, "1", inline_keyboard=False, until=contains("Согласие записано"))
    assert menu.keyboard is None
    assert "1. ❓ Спросить библиотекаря" in menu.text
    reader = await app.storage.readers.get(Address(Platform.VK, READER))
    assert reader is not None and reader.has_consent

    loans = await say(vk, READER, "3", inline_keyboard=False)
    assert loans.keyboard is None
    assert loans.text.endswith(
        "\n\n1. ✍️ Попросить продлить\n2. 🔗 Привязать читательский билет\n3. ⬅️ В меню"
    )
    prompt = await say(vk, READER, "1", inline_keyboard=False)
    assert prompt.keyboard is None
    assert prompt.text == "Введите номер читательского билета.\n\n1. ✖️ Отменить"
