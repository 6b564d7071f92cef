"""The ticket card names the form's fields the way staff read them."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from tests.e2e.conftest import Launcher
from tests.e2e.desk_client import consent, reader_user, submit_request, thematic_steps, wait_card
from tests.e2e.telegram_client import text_of

READER = reader_user(5309)


async def test_the_card_labels_the_fields_in_the_staff_language(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await launch(telegram=telegram)
    await consent(telegram, READER)
    number = await submit_request(telegram, READER, "thematic", thematic_steps("кардиология"))
    shown = text_of(await wait_card(telegram, app, number))
    assert "Тема: кардиология" in shown
    assert "Виды документов: обзоры, клинические рекомендации" in shown
    assert "Источников не более: 5" in shown
    assert "doctypes:" not in shown and "titles:" not in shown
