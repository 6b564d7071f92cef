"""A Telegram reader walks first contact, consent, the menu, language and /forget over HTTP."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from tests.e2e.conftest import Launcher
from tests.e2e.telegram_client import payloads, press, say

READER = 5001


async def test_first_contact_consent_menu_language_and_forget(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await launch(telegram=telegram)

    welcome = await say(telegram, READER, "/start", language_code="ru")
    assert "Кузбасская научная медицинская библиотека" in (welcome.text or "")
    assert "не даём медицинских консультаций" in (welcome.text or "")
    assert welcome.parse_mode is None
    assert payloads(welcome)[:2] == ["consent:yes", "consent:no"]
    assert "menu:settings" in payloads(welcome)

    menu = await press(telegram, READER, "consent:yes")
    assert "menu:ask" in payloads(menu)
    assert telegram.callback_answers, "the button press was acknowledged"
    reader = await app.storage.readers.get_by_id(1)
    assert reader is not None and reader.has_consent and reader.display_name

    settings = await press(telegram, READER, "menu:settings")
    assert "lang:ask" in payloads(settings)
    languages = await press(telegram, READER, "lang:ask")
    assert payloads(languages) == ["lang:en", "lang:ru"]
    changed = await press(telegram, READER, "lang:en")
    assert changed.text == "Language changed: English."
    help_text = await say(telegram, READER, "/help")
    assert "Opening hours" in (help_text.text or "")

    confirm = await say(telegram, READER, "/forget")
    assert payloads(confirm) == ["forget:yes", "forget:no"]
    done = await press(telegram, READER, "forget:yes")
    assert "all your data has been erased" in (done.text or "")
    assert await app.storage.readers.get_by_id(1) is None


async def test_user_markup_is_sent_back_literally(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    await launch(telegram=telegram)
    await say(telegram, READER, "/start")
    await press(telegram, READER, "consent:yes")
    await press(telegram, READER, "menu:loans")
    await press(telegram, READER, "ln:ask")
    await say(telegram, READER, "A-1")
    summary = await say(telegram, READER, "<b>Анатомия</b> & <i>физиология</i>")
    assert "<b>Анатомия</b> & <i>физиология</i>" in (summary.text or "")
    assert summary.parse_mode is None
