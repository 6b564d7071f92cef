"""Steps of the cross-platform desk tests: readers on one platform, staff on the other.

A reader's steps go through the fake of the reader's platform (``vk_client`` and
``telegram_client`` do the talking); the staff chat is read back from the other fake. Ticket
state that no fake can show (the card's message id, the status) is read from storage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.app import Application
from bot.playground.platforms.telegram_server import FakeTelegramServer, SentMessage
from bot.playground.platforms.vk_server import Delivery, FakeVkServer
from storage.models import Ticket, TicketStatus
from tests.e2e import telegram_client as tg
from tests.e2e import vk_client
from tests.e2e.conftest import STAFF_CHAT_ID, Launcher

WITHIN = 30.0
"""Generous: the Telegram staff group is paced at one message a second."""

VK_STAFF_CHAT = 2_000_000_001
"""The VK group conversation used as the staff chat (``staff_chat="vk:2000000001"``)."""

ACCEPTED = re.compile(r"Запрос №(\d+) принят")


def ticket_number(text: str) -> int:
    """The number in the «Запрос №N принят» acknowledgement."""
    found = ACCEPTED.search(text)
    assert found is not None, f"no acknowledgement in {text!r}"
    return int(found.group(1))


# ---- VK readers ---------------------------------------------------------------------------


async def vk_consenting_reader(vk: FakeVkServer, peer: int) -> None:
    """A VK reader who pressed «Начать» and agreed to the privacy notice."""
    await vk_client.say(vk, peer, "Начать", payload=vk_client.START_PAYLOAD)
    await vk_client.press(vk, peer, "consent:yes", until=vk_client.contains("Согласие записано"))


async def vk_submit(
    vk: FakeVkServer, peer: int, kind: str, text: str, attachments: list[dict[str, Any]]
) -> int:
    """A one-text request of ``kind`` with ``attachments`` sent in one message; its number."""
    await vk_client.press(vk, peer, "menu:ask")
    await vk_client.press(vk, peer, f"ask:{kind}")
    await vk_client.say(vk, peer, text)
    if attachments:
        await vk_client.say(vk, peer, "", attachments=attachments)
    await vk_client.press(vk, peer, f"form:{kind}:files:skip")
    accepted = await vk_client.press(
        vk, peer, f"form:{kind}:confirm:send", until=vk_client.contains("принят")
    )
    return ticket_number(accepted.text)


def vk_doc(vk: FakeVkServer, title: str, url: str, size: int) -> dict[str, Any]:
    """A ``doc`` attachment as VK puts it in ``message_new``, with the URL and size given
    (``vk.doc_attachment`` always serves its bytes and reports their true size)."""
    ext = title.rsplit(".", 1)[-1]
    return {
        "type": "doc",
        "doc": {
            "id": 900 + size % 97,
            "owner_id": 1,
            "title": title,
            "ext": ext,
            "size": size,
            "url": url,
            "type": 1,
        },
    }


async def vk_chat_message(
    vk: FakeVkServer, peer: int, predicate: Callable[[Delivery], bool]
) -> Delivery:
    """The first message the bot sent to ``peer`` that satisfies ``predicate``."""

    def found() -> Delivery | None:
        return next((d for d in vk.sent_to(peer) if predicate(d)), None)

    await vk.wait_for(lambda: found() is not None, within=WITHIN)
    delivery = found()
    assert delivery is not None
    return delivery


# ---- Telegram readers ---------------------------------------------------------------------


async def telegram_consenting_reader(telegram: FakeTelegramServer, chat: int) -> None:
    await tg.say(telegram, chat, "/start")
    await tg.press(telegram, chat, "consent:yes")


async def telegram_submit(
    telegram: FakeTelegramServer,
    chat: int,
    kind: str,
    text: str,
    document: tuple[bytes, str] | None = None,
) -> int:
    """A one-text request of ``kind``, with a document ``(bytes, file name)``; its number."""
    await tg.press(telegram, chat, "menu:ask")
    await tg.press(telegram, chat, f"ask:{kind}")
    await tg.say(telegram, chat, text)
    if document is not None:
        data, name = document
        before = len(telegram.sent_to(chat))
        telegram.push_document(chat, data, file_name=name)
        await tg.reply_after(telegram, chat, before)
    await tg.press(telegram, chat, f"form:{kind}:files:skip")
    accepted = await tg.press(telegram, chat, f"form:{kind}:confirm:send")
    return ticket_number(tg.text_of(accepted))


# ---- the staff chat -----------------------------------------------------------------------


async def telegram_staff_message(
    telegram: FakeTelegramServer,
    predicate: Callable[[SentMessage], bool],
    chat: int = STAFF_CHAT_ID,
) -> SentMessage:
    """The first message the bot sent to the Telegram staff chat that satisfies
    ``predicate``."""

    def found() -> SentMessage | None:
        return next((m for m in telegram.sent_to(chat) if predicate(m)), None)

    await telegram.wait_for(lambda: found() is not None, timeout=WITHIN)
    message = found()
    assert message is not None
    return message


def telegram_text_has(fragment: str) -> Callable[[SentMessage], bool]:
    return lambda message: fragment in tg.text_of(message)


def vk_text_has(fragment: str) -> Callable[[Delivery], bool]:
    return lambda delivery: fragment in delivery.text


async def ticket(app: Application, number: int) -> Ticket:
    found = await app.storage.tickets.get(number)
    assert found is not None, f"no ticket {number}"
    return found


async def card_id(app: Application, number: int) -> int:
    """The staff-chat message id of ticket ``number``'s card, once it was sent."""

    async def known() -> bool:
        stored = await app.storage.tickets.get(number)
        return (
            stored is not None
            and stored.thread is not None
            and (stored.thread.card_message_id is not None)
        )

    await vk_client.eventually(known, within=WITHIN)
    stored = await ticket(app, number)
    assert stored.thread is not None and stored.thread.card_message_id is not None
    return stored.thread.card_message_id


async def status_becomes(app: Application, number: int, status: TicketStatus) -> Ticket:
    """Wait until ticket ``number`` has ``status``."""

    async def reached() -> bool:
        return (await ticket(app, number)).status is status

    await vk_client.eventually(reached, within=WITHIN)
    return await ticket(app, number)


VK_STAFF_SETTINGS = {"staff_chat": f"vk:{VK_STAFF_CHAT}"}


async def vk_staff_answer_while_down(
    launch: Launcher,
    vk: FakeVkServer,
    telegram: FakeTelegramServer,
    *,
    reader: int,
    staff: int,
    question: str,
    answer: str,
) -> tuple[int, int]:
    """A Telegram reader's address request, carded in the VK staff chat where ``staff`` is an
    admin; the application that did it is stopped, and ``staff`` then replies ``answer`` to the
    card while no bot runs. Returns the ticket's number and how many messages the reader had
    been sent by then."""
    vk.add_user(staff, "Ольга", "Петрова")
    vk.add_chat_member(VK_STAFF_CHAT, staff, admin=True)
    app = await vk_client.start(launch, vk, telegram, **VK_STAFF_SETTINGS)
    await telegram_consenting_reader(telegram, reader)
    number = await telegram_submit(telegram, reader, "address", question)
    card_cmid = await card_id(app, number)
    await app.stop()
    before = len(telegram.sent_to(reader))
    vk.push_message(VK_STAFF_CHAT, answer, from_id=staff, reply_to=card_cmid)
    return number, before
