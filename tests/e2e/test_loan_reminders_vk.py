"""A due-date reminder with several loans on VK: its keyboard (three Renew buttons, Renew
all, My loans, Reminders, the menu) passes VK's inline keyboard limits, and Renew all renews
through the demo circulation system."""

from __future__ import annotations

from bot.ils.demo import DEMO_CARD, DEMO_PIN
from bot.playground.platforms.vk_server import FakeVkServer
from tests.e2e import vk_client
from tests.e2e.conftest import Launcher
from tests.e2e.desk_cross_client import vk_consenting_reader
from tests.e2e.loans_client import WITHIN

READER = 7411
DUE = "Скоро срок возврата книг"


async def test_a_vk_reminder_with_several_loans_renews_them_all(
    vk: FakeVkServer, launch: Launcher
) -> None:
    app = await vk_client.start(launch, vk, ils_backend="demo", loan_reminder_days=7)
    await vk_consenting_reader(vk, READER)
    await vk_client.press(vk, READER, "menu:loans")
    await vk_client.press(vk, READER, "ln:link")
    await vk_client.say(vk, READER, DEMO_CARD)
    await vk_client.say(vk, READER, DEMO_PIN, until=vk_client.contains("привязан"))

    assert await app.loan_reminders.run(app.clock()) == 2
    await vk.wait_for(lambda: any(DUE in d.text for d in vk.sent_to(READER)), within=WITHIN)
    reminder = next(d for d in vk.sent_to(READER) if DUE in d.text)
    sent = vk_client.payloads(reminder)
    assert [p.split(":")[:2] for p in sent[:4] if p] == [["ln", "due"]] * 3 + [["ln", "dueall"]]
    assert sent[4:] == ["menu:loans", "lr:show", "menu:main"]

    before = len(vk.sent_to(READER))
    vk.push_message_event(
        READER, {"p": "ln:dueall"}, conversation_message_id=reminder.conversation_message_id
    )
    result = await vk_client.reply_after(vk, READER, before, vk_client.contains("продлена до"))
    assert "«Сапин М. Р. Анатомия человека. Т. 1» продлена до" in result.text
    assert "«Судаков К. В. Нормальная физиология» продлить нельзя" in result.text
