"""Hostile input over real HTTP: a lone surrogate (a ``\\ud800`` escape in the platform's
JSON) and a slash followed by whitespace get a proper answer on both platforms, never the
generic error of a crashed turn."""

from __future__ import annotations

import pytest

from bot.playground.platforms.telegram_server import FakeTelegramServer, FakeUser
from bot.playground.platforms.vk_server import FakeVkServer
from handlers.core.i18n import Catalog
from tests.e2e import telegram_client as tg
from tests.e2e import vk_client as vk_reader
from tests.e2e.conftest import Launcher

TELEGRAM_READER = 5101
VK_READER = 7101
LONE = "\ud800"
GENERIC_ERRORS = {Catalog().translator(lang)("error-generic") for lang in Catalog().languages}
STALE_BUTTON = Catalog().translator("ru")("stale-button")


def assert_no_generic_error(texts: list[str]) -> None:
    assert not GENERIC_ERRORS & set(texts), texts


async def test_telegram_lone_surrogates_in_text_name_and_button_data(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await launch(telegram=telegram)
    reader = FakeUser(TELEGRAM_READER, first_name=f"Анна{LONE}", language_code="ru")
    before = len(telegram.sent_to(TELEGRAM_READER))
    telegram.push_message(TELEGRAM_READER, "/start", user=reader)
    welcome = await tg.reply_after(telegram, TELEGRAM_READER, before)
    telegram.push_callback(TELEGRAM_READER, "consent:yes", welcome.message_id, user=reader)
    await tg.reply_after(telegram, TELEGRAM_READER, before + 1)
    await tg.press(telegram, TELEGRAM_READER, "menu:loans")
    await tg.press(telegram, TELEGRAM_READER, "ln:ask")
    await tg.say(telegram, TELEGRAM_READER, "A-1")

    summary = await tg.say(telegram, TELEGRAM_READER, f"Анатомия {LONE} физиология")
    assert "Анатомия \ufffd физиология" in tg.text_of(summary)
    refused = await tg.press(telegram, TELEGRAM_READER, f"menu:{LONE}")
    assert tg.text_of(refused) == STALE_BUTTON

    stored = await app.storage.readers.get_by_id(1)
    assert stored is not None and stored.display_name == "Анна\ufffd"
    assert_no_generic_error([tg.text_of(m) for m in telegram.sent_to(TELEGRAM_READER)])


@pytest.mark.parametrize("text", ["/ ", "/\u00a0", "/\u3000", "/\n", "/"])
async def test_telegram_a_slash_and_whitespace_is_not_a_command(
    telegram: FakeTelegramServer, launch: Launcher, text: str
) -> None:
    await launch(telegram=telegram)
    await tg.say(telegram, TELEGRAM_READER, "/start")

    answer = await tg.say(telegram, TELEGRAM_READER, text)

    assert_no_generic_error([tg.text_of(answer)])


async def test_vk_lone_surrogates_in_text_name_and_payload(
    vk: FakeVkServer, launch: Launcher
) -> None:
    vk.add_user(VK_READER, f"Иван{LONE}", "Петров")
    app = await vk_reader.start(launch, vk)
    await vk_reader.say(vk, VK_READER, "Начать", payload=vk_reader.START_PAYLOAD)
    await vk_reader.press(vk, VK_READER, "consent:yes")
    await vk_reader.press(vk, VK_READER, "menu:loans")
    await vk_reader.press(vk, VK_READER, "ln:ask")
    await vk_reader.say(vk, VK_READER, "A-1")

    summary = await vk_reader.say(vk, VK_READER, f"Анатомия {LONE} физиология")
    assert "Анатомия \ufffd физиология" in summary.text
    refused = await vk_reader.press(vk, VK_READER, f"menu:{LONE}")
    assert refused.text == STALE_BUTTON
    typed = await vk_reader.say(vk, VK_READER, "", payload=f'{{"p":"{LONE}"}}')
    assert typed.text

    stored = await app.storage.readers.get_by_id(1)
    assert stored is not None and stored.display_name == "Иван\ufffd Петров"
    assert_no_generic_error([delivery.text for delivery in vk.sent_to(VK_READER)])


async def test_vk_a_slash_and_whitespace_is_not_a_command(
    vk: FakeVkServer, launch: Launcher
) -> None:
    await vk_reader.start(launch, vk)
    await vk_reader.say(vk, VK_READER, "Начать", payload=vk_reader.START_PAYLOAD)

    for text in ("/ ", "/\u00a0", "/\u3000", "/\n"):
        answer = await vk_reader.say(vk, VK_READER, text)
        assert_no_generic_error([answer.text])
