"""The manual renewal flow end to end on VK: a VK reader asks, VK staff decide from the card
in their group conversation (+14 days, an entered date, a refusal with a reason), and the
reader is told each outcome in the community dialog."""

from __future__ import annotations

from bot.playground.platforms.vk_server import FakeVkServer
from storage.models import RenewalStatus
from tests.e2e import vk_client
from tests.e2e.conftest import Launcher
from tests.e2e.desk_cross_client import VK_STAFF_CHAT, vk_consenting_reader
from tests.e2e.loans_client import (
    WITHIN,
    card_message,
    decided,
    library_today,
    request_number,
    ru_day,
)

READER = 7401
STAFF = 9101


async def ask_to_renew(vk: FakeVkServer, books: str) -> int:
    await vk_client.press(vk, READER, "menu:loans")
    await vk_client.press(vk, READER, "ln:ask")
    await vk_client.say(vk, READER, "КБ-2024/118")
    await vk_client.say(vk, READER, books)
    done = await vk_client.press(
        vk, READER, "form:renew:confirm:send", until=vk_client.contains("передана")
    )
    return request_number(done.text)


def staff_press(vk: FakeVkServer, payload: str, card: int) -> None:
    vk.push_message_event(
        VK_STAFF_CHAT, {"p": payload}, user_id=STAFF, conversation_message_id=card
    )


async def reader_told(vk: FakeVkServer, fragment: str) -> str:
    await vk.wait_for(lambda: any(fragment in d.text for d in vk.sent_to(READER)), within=WITHIN)
    return next(d.text for d in vk.sent_to(READER) if fragment in d.text)


async def test_vk_staff_renew_and_refuse_and_the_vk_reader_is_told(
    vk: FakeVkServer, launch: Launcher
) -> None:
    vk.add_user(STAFF, "Ольга", "Петрова")
    vk.add_chat_member(VK_STAFF_CHAT, STAFF, admin=True)
    app = await vk_client.start(launch, vk, staff_chat=f"vk:{VK_STAFF_CHAT}")
    await vk_consenting_reader(vk, READER)

    first = await ask_to_renew(vk, "Пропедевтика внутренних болезней")
    card = await card_message(app, first)
    shown = vk.message(VK_STAFF_CHAT, card)
    assert f"Заявка на продление №{first}" in shown.text
    assert "Читатель: User7401 (ВКонтакте)" in shown.text and "КБ-2024/118" in shown.text
    assert vk_client.payloads(shown) == [
        f"rn:d14:{first}",
        f"rn:d30:{first}",
        f"rn:date:{first}",
        f"rn:refuse:{first}",
    ]
    staff_press(vk, f"rn:d14:{first}", card)
    until = ru_day(library_today(app, 14))
    told = await reader_told(vk, f"№{first}: книги продлены")
    assert told == f"✅ Заявка на продление №{first}: книги продлены до {until}."
    await vk.wait_for(
        lambda: f"Продлено до {until}" in vk.message(VK_STAFF_CHAT, card).text, within=WITHIN
    )

    second = await ask_to_renew(vk, "Все мои книги")
    card = await card_message(app, second)
    staff_press(vk, f"rn:date:{second}", card)
    await vk.wait_for(lambda: "ждёт дату" in vk.message(VK_STAFF_CHAT, card).text, within=WITHIN)
    day = library_today(app, 21)
    vk.push_message(VK_STAFF_CHAT, day.strftime("%d.%m.%Y"), from_id=STAFF, reply_to=card)
    renewed = await decided(app, second, RenewalStatus.RENEWED)
    assert renewed.renewed_until == day
    await reader_told(vk, f"№{second}: книги продлены до {ru_day(day)}.")

    third = await ask_to_renew(vk, "Гистология")
    card = await card_message(app, third)
    staff_press(vk, f"rn:refuse:{third}", card)
    await vk.wait_for(
        lambda: (
            f"rn:why:{third}:limit_reached" in vk_client.payloads(vk.message(VK_STAFF_CHAT, card))
        ),
        within=WITHIN,
    )
    assert len(vk_client.payloads(vk.message(VK_STAFF_CHAT, card))) <= 10
    staff_press(vk, f"rn:why:{third}:limit_reached", card)
    await decided(app, third, RenewalStatus.REFUSED)
    told = await reader_told(vk, f"№{third}: продлить не получилось")
    assert told.endswith("книгу уже продлевали столько раз, сколько разрешают правила.")
