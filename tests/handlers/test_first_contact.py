"""First contact, consent, the menu, language and /forget through the neutral core."""

from __future__ import annotations

from handlers.core.replies import Reply
from storage.models import Address, ConsentState, Direction, Platform
from tests.handlers.conftest import Desk

READER = Address(Platform.TELEGRAM, 42)
VK_READER = Address(Platform.VK, 7001)


def payloads(reply: Reply) -> list[str]:
    return [b.payload for b in reply.flat_buttons()]


async def test_start_shows_welcome_notices_consent_and_menu(desk: Desk) -> None:
    reply = await desk.say(READER, "/start", language_code="ru")
    assert "Кузбасская научная медицинская библиотека" in reply.text
    assert "через 180 дней после последнего действия" in reply.text  # how long data are kept
    assert "/forget" in reply.text  # how to delete them
    assert "не даём медицинских консультаций" in reply.text
    assert payloads(reply) == [
        "consent:yes",
        "consent:no",
        "menu:ask",
        "menu:mine",
        "menu:loans",
        "menu:new",
        "menu:settings",
    ]
    reader = await desk.storage.readers.get(READER)
    assert reader is not None and reader.consent is ConsentState.UNKNOWN
    assert reader.display_name is None  # nothing personal before consent
    assert await desk.storage.conversations.history(reader.id) == []


async def test_english_client_gets_english(desk: Desk) -> None:
    reply = await desk.say(READER, "/start", language_code="en-GB")
    assert reply.text.startswith("Hello!")
    assert "Ask a librarian" in [b.text for b in reply.flat_buttons()][2]


async def test_any_first_message_on_vk_is_a_first_contact(desk: Desk) -> None:
    reply = await desk.say(VK_READER, "здравствуйте, мне нужна статья")
    assert "Здравствуйте! Это справочная служба" in reply.text


async def test_consent_is_recorded_with_name_and_conversation_starts(desk: Desk) -> None:
    await desk.say(READER, "/start")
    reply = await desk.press(READER, "consent:yes")
    assert "Согласие записано" in reply.text
    assert "menu:ask" in payloads(reply)
    reader = await desk.storage.readers.get(READER)
    assert reader is not None and reader.consent is ConsentState.GIVEN
    assert reader.display_name == "Анна Петрова"
    await desk.say(READER, "/help")
    history = await desk.storage.conversations.history(reader.id)
    assert [m.direction for m in history][-2:] == [Direction.IN, Direction.OUT]
    assert history[-2].text == "/help"


async def test_feature_needing_data_asks_consent_first_then_continues(desk: Desk) -> None:
    await desk.say(READER, "/start")
    await desk.press(READER, "consent:no")
    reply = await desk.press(READER, "menu:ask")
    assert payloads(reply) == ["consent:yes", "consent:no"]
    reply = await desk.press(READER, "consent:yes")
    assert "ask:thematic" in payloads(reply)
    reply = await desk.press(READER, "consent:no")
    reply = await desk.press(READER, "ask:factographic")
    assert payloads(reply) == ["consent:yes", "consent:no"]
    reply = await desk.press(READER, "consent:yes")
    assert "Какой факт, дату или цифру" in reply.text


async def test_withdrawing_consent_erases_the_conversation(desk: Desk) -> None:
    await desk.say(READER, "/start")
    await desk.press(READER, "consent:yes")
    await desk.say(READER, "/help")
    reader = await desk.storage.readers.get(READER)
    assert reader is not None and await desk.storage.conversations.history(reader.id)
    reply = await desk.press(READER, "consent:withdraw")
    assert payloads(reply) == ["consent:withdraw-yes", "menu:settings"]
    assert (await desk.storage.readers.get(READER)) == reader, "nothing changes before the press"
    await desk.press(READER, "consent:withdraw-yes")
    reader = await desk.storage.readers.get(READER)
    assert reader is not None and reader.consent is ConsentState.WITHDRAWN
    assert reader.display_name is None
    assert await desk.storage.conversations.history(reader.id) == []


async def test_language_switch_changes_texts_and_is_stored(desk: Desk) -> None:
    await desk.say(READER, "/start")
    reply = await desk.say(READER, "/language")
    assert payloads(reply) == ["lang:en", "lang:ru"]
    reply = await desk.press(READER, "lang:en")
    assert reply.text == "Language changed: English."
    reply = await desk.say(READER, "/help")
    assert "Opening hours" in reply.text
    reader = await desk.storage.readers.get(READER)
    assert reader is not None and reader.language == "en"


async def test_forget_asks_then_erases_everything(desk: Desk) -> None:
    await desk.say(READER, "/start")
    await desk.press(READER, "consent:yes")
    reply = await desk.say(READER, "/forget")
    assert payloads(reply) == ["forget:yes", "forget:no"]
    reply = await desk.press(READER, "forget:yes")
    assert "все ваши данные удалены" in reply.text
    assert await desk.storage.readers.get(READER) is None


async def test_forget_can_be_declined(desk: Desk) -> None:
    await desk.say(READER, "/start")
    await desk.say(READER, "/forget")
    reply = await desk.press(READER, "forget:no")
    assert "ничего не удаляем" in reply.text
    assert await desk.storage.readers.get(READER) is not None
