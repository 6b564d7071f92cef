"""VK staff hand a ticket to a colleague: the picker is an inline keyboard VK accepts, a press
hands the ticket over, and the card in the VK chat says who gave it to whom."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from storage.models import TicketStatus
from tests.e2e import vk_client
from tests.e2e.conftest import Launcher
from tests.e2e.desk_cross_client import (
    VK_STAFF_CHAT,
    WITHIN,
    card_id,
    status_becomes,
    telegram_consenting_reader,
    telegram_submit,
    vk_chat_message,
    vk_text_has,
)

READER = 43
STAFF = 9001
COLLEAGUE = 9003


async def test_vk_staff_hand_a_ticket_to_a_colleague(
    vk: FakeVkServer, telegram: FakeTelegramServer, launch: Launcher
) -> None:
    vk.add_user(STAFF, "Ольга", "Петрова")
    vk.add_user(COLLEAGUE, "Ирина", "Соколова")
    vk.add_chat_member(VK_STAFF_CHAT, STAFF, admin=True)
    vk.add_chat_member(VK_STAFF_CHAT, COLLEAGUE, admin=True)
    app = await vk_client.start(launch, vk, telegram, staff_chat=f"vk:{VK_STAFF_CHAT}")
    await telegram_consenting_reader(telegram, READER)
    number = await telegram_submit(telegram, READER, "other", "Работает ли библиотека в субботу?")
    card_cmid = await card_id(app, number)
    card = await vk_chat_message(
        vk, VK_STAFF_CHAT, lambda d: d.conversation_message_id == card_cmid
    )
    assert f"st:asg:{number}" in vk_client.payloads(card)

    vk.push_message_event(
        VK_STAFF_CHAT, {"p": f"st:asg:{number}"}, user_id=STAFF, conversation_message_id=card_cmid
    )
    picker = await vk_chat_message(
        vk, VK_STAFF_CHAT, vk_text_has(f"Кому передать запрос №{number}?")
    )
    assert picker.reply_to == card_cmid
    assert picker.keyboard is not None and picker.keyboard["inline"] is True
    assert vk_client.payloads(picker) == [f"st:asgto:{number}:{COLLEAGUE}"]
    assert [action["label"] for action in vk_client.actions(picker)] == ["Ирина Соколова"]

    vk.push_message_event(
        VK_STAFF_CHAT,
        {"p": f"st:asgto:{number}:{COLLEAGUE}"},
        user_id=STAFF,
        conversation_message_id=picker.conversation_message_id,
    )

    handed = await status_becomes(app, number, TicketStatus.IN_PROGRESS)
    assert handed.assignee is not None and handed.assignee.user_id == COLLEAGUE
    await vk.wait_for(
        lambda: (
            "Ольга Петрова назначает исполнителя: Ирина Соколова"
            in vk.message(VK_STAFF_CHAT, card_cmid).text
        ),
        within=WITHIN,
    )
    assert "Исполнитель: Ирина Соколова" in vk.message(VK_STAFF_CHAT, card_cmid).text
