"""A Telegram reader with a request in a plain staff supergroup asks to be forgotten, over
HTTP: the follow-up relayed to staff is deleted, the card says the reader asked to be
forgotten, and neither the database nor its file holds the reader's words or id."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from tests.e2e.conftest import Launcher
from tests.e2e.desk_client import (
    consent,
    reader_presses,
    reader_says,
    reader_user,
    single_steps,
    submit_request,
    wait_card,
    wait_linked,
    wait_posted,
)
from tests.e2e.telegram_client import payloads, text_of
from tests.storage.traces import bytes_holding, file_bytes, table_text, tables_holding

READER = reader_user(7318245906113, "Ольга", "Зоркенштейн")
WORDS = ["Зоркенштейн", "квазибраминовых", "vorpalfungus"]
WITHIN = 10.0


async def test_forget_deletes_the_relayed_posts_and_replaces_the_card(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await launch(telegram=telegram)
    await consent(telegram, READER)
    number = await submit_request(
        telegram, READER, "address", single_steps("Обзор квазибраминовых соединений, 2019")
    )
    card = await wait_card(telegram, app, number)
    await reader_says(telegram, READER, "И ещё vorpalfungus")
    follow_up = await wait_posted(telegram, "vorpalfungus")
    await wait_linked(app, number, follow_up.message_id)
    assert "Зоркенштейн" in text_of(card)

    confirm = await reader_says(telegram, READER, "/forget")
    assert payloads(confirm) == ["forget:yes", "forget:no"]
    done = await reader_presses(telegram, READER, "forget:yes")

    assert "все ваши данные удалены" in text_of(done)
    await telegram.wait_for(lambda: follow_up.deleted, timeout=WITHIN)
    await telegram.wait_for(lambda: "попросил удалить свои данные" in text_of(card), timeout=WITHIN)
    assert "Зоркенштейн" not in text_of(card) and not card.deleted
    assert tables_holding(await table_text(app.storage), WORDS, [READER.id]) == set()
    assert bytes_holding(file_bytes(app.storage), WORDS, [READER.id]) == set()
