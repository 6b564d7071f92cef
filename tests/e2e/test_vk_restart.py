"""A restart in the middle of a form: the dialog state lives in the database, so the reader's
next answer after the restart continues the same form at the same step."""

from __future__ import annotations

from bot.playground.platforms.vk_server import FakeVkServer
from storage.models import Address, Platform
from tests.e2e.conftest import Launcher
from tests.e2e.vk_client import payloads, press, reply_after, say, start

READER = 7101


async def test_restart_mid_form_resumes_at_the_same_step(
    vk: FakeVkServer, launch: Launcher
) -> None:
    app = await start(launch, vk)
    await say(vk, READER, "Здравствуйте")
    await press(vk, READER, "consent:yes")
    await press(vk, READER, "menu:loans")
    card_prompt = await press(vk, READER, "ln:ask")
    assert card_prompt.text == "Введите номер читательского билета."
    assert payloads(card_prompt) == ["form:renew:card:cancel"]

    items_prompt = await say(vk, READER, "КБ-2024/117")
    assert items_prompt.text.startswith("Какие книги продлить?")
    assert "form:renew:items:back" in payloads(items_prompt)
    await app.stop()

    app = await start(launch, vk)
    reader = await app.storage.readers.get(Address(Platform.VK, READER))
    assert reader is not None
    state = await app.storage.dialogs.load(reader.id)
    assert (state.flow, state.step) == ("renew", "items")

    summary = await say(vk, READER, "Пропедевтика внутренних болезней; Нормальная физиология")
    assert summary.text.startswith("Заявка на продление")
    assert "Читательский билет: КБ-2024/117" in summary.text
    assert "Книги: Пропедевтика внутренних болезней; Нормальная физиология" in summary.text
    assert payloads(summary)[0] == "form:renew:confirm:send"
    assert "form:renew:confirm:cancel" in payloads(summary)


async def test_a_message_sent_while_the_bot_was_stopped_is_answered_after_the_restart(
    vk: FakeVkServer, launch: Launcher
) -> None:
    app = await start(launch, vk)
    welcome = await say(vk, READER, "Здравствуйте")
    assert "Кузбасская научная медицинская библиотека" in welcome.text
    await app.stop()

    answered = len(vk.sent_to(READER))
    vk.push_message(READER, "/help")
    await start(launch, vk)

    help_reply = await reply_after(vk, READER, answered)
    assert help_reply.text.startswith(
        "Здесь мы отвечаем на вопросы читателей «Кузбасская научная медицинская библиотека»"
    )
    assert "/help — справка" in help_reply.text
