"""A librarian hands a ticket to a named colleague from the Telegram staff chat: the Assign
button lists the staff by name, a press hands it over, and the card says who gave it to whom."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from tests.e2e.conftest import Launcher
from tests.e2e.desk_client import (
    COLLEAGUE,
    STAFF,
    STRANGER,
    consent,
    make_admin,
    reader_user,
    single_steps,
    staff_command,
    staff_ids,
    staff_presses,
    submit_request,
    wait_callback_answered,
    wait_card,
    wait_card_shows,
    wait_outbox_idle,
    wait_posted,
    wait_ticket,
)
from tests.e2e.telegram_client import payloads, text_of

READER = reader_user(5311)


async def test_a_ticket_goes_to_the_colleague_picked_by_name(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    telegram.name_user(COLLEAGUE)
    make_admin(telegram, COLLEAGUE)
    app = await launch(telegram=telegram, staff_user_ids=staff_ids(STAFF))
    await consent(telegram, READER)
    number = await submit_request(
        telegram, READER, "address", single_steps("Есть ли у вас «Кардиология» 2023 года?")
    )
    card = await wait_card(telegram, app, number)
    assert f"st:asg:{number}" in payloads(card)

    query = staff_presses(telegram, f"st:asg:{number}", card.message_id)
    assert await wait_callback_answered(telegram, query) == "Выберите сотрудника."
    picker = await wait_posted(telegram, f"Кому передать запрос №{number}?")
    assert picker.reply_to == card.message_id
    # The chat's owner is an admin too, so staff; the one asking is left out.
    assert [label for row in picker.buttons for label, _ in row] == ["Owner", "Ирина Кузнецова"]
    colleague = f"st:asgto:{number}:{COLLEAGUE.id}"
    assert colleague in payloads(picker)

    forged = staff_presses(telegram, f"st:asgto:{number}:{STRANGER.id}", picker.message_id)
    assert await wait_callback_answered(telegram, forged) == (
        "Этого человека нет среди сотрудников: запрос не передан."
    )
    query = staff_presses(telegram, colleague, picker.message_id)
    assert await wait_callback_answered(telegram, query) == (
        f"Запрос №{number} передан: теперь исполнитель — Ирина Кузнецова."
    )

    handed = await wait_ticket(
        app, number, lambda t: t.assignee is not None, "assigned to the colleague"
    )
    assert handed.assignee is not None and handed.assignee.user_id == COLLEAGUE.id
    shown = text_of(await wait_card_shows(telegram, app, number, "назначает исполнителя"))
    assert "Исполнитель: Ирина Кузнецова" in shown
    assert "Ольга Смирнова назначает исполнителя: Ирина Кузнецова" in shown

    await wait_outbox_idle(app)
    history = await staff_command(telegram, app, f"/ticket {number}")
    assert "Ольга Смирнова назначает исполнителя: Ирина Кузнецова" in history
