"""A restart in the middle of a form: the reader goes on at the same step, nothing repeated."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from storage.models import OutboxStatus
from tests.e2e.conftest import STAFF_CHAT_ID, Launcher
from tests.e2e.telegram_client import payloads, press, say, text_of, wait_outbox

READER = 5101
SEND = "form:renew:confirm:send"


async def test_renewal_form_survives_a_restart_and_reaches_staff_once(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await launch(telegram=telegram)
    await say(telegram, READER, "/start")
    await press(telegram, READER, "consent:yes")
    await press(telegram, READER, "menu:loans")
    card_prompt = await press(telegram, READER, "ln:ask")
    assert "читательского билета" in text_of(card_prompt)
    items_prompt = await say(telegram, READER, "A-12345")
    assert "Какие книги продлить" in text_of(items_prompt)

    await app.stop()
    sent_before_restart = len(telegram.sent_to(READER))
    app = await launch(telegram=telegram)

    summary = await say(telegram, READER, "Анатомия человека, т. 2")
    assert len(telegram.sent_to(READER)) == sent_before_restart + 1, "nothing was replayed"
    assert "A-12345" in text_of(summary)
    assert "Анатомия человека, т. 2" in text_of(summary)
    assert SEND in payloads(summary)

    done = await press(telegram, READER, SEND)
    assert "Заявка на продление №1 передана библиотекарю" in text_of(done)
    await telegram.wait_for(lambda: len(telegram.sent_to(STAFF_CHAT_ID)) >= 1, timeout=30)
    request = text_of(telegram.sent_to(STAFF_CHAT_ID)[0])
    assert "A-12345" in request
    assert "Анатомия человека, т. 2" in request

    await wait_outbox(app.storage, [OutboxStatus.SENT], peer_id=STAFF_CHAT_ID)
    await app.stop()
    assert len(telegram.sent_to(STAFF_CHAT_ID)) == 1
