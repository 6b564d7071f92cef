"""What the loans handler tests share: the readers, a PIN to search outputs for, and the steps
of linking a card."""

from __future__ import annotations

from bot.ils.demo import DEMO_CARD, DemoIls
from handlers.core.events import Event
from handlers.core.replies import Reply
from handlers.loans.ils import Ils
from storage.models import Address, LibraryCard, Platform
from tests.handlers.conftest import Desk, build_service

READER = Address(Platform.TELEGRAM, 42)
VK_READER = Address(Platform.VK, 4242)
SECRET_PIN = "Qz7-PIN-90417"
"""A PIN no other value in the test comes near, to search every output for."""


def payloads(reply: Reply) -> list[str]:
    return [button.payload for button in reply.flat_buttons()]


def with_ils(desk: Desk, ils: Ils) -> None:
    desk.service = build_service(desk.storage, desk.telegram, desk.vk, clock=desk.clock, ils=ils)


def with_demo(desk: Desk) -> DemoIls:
    """The demo circulation system on the desk's clock, its PIN :data:`SECRET_PIN`."""
    ils = DemoIls(desk.clock, pin=SECRET_PIN)
    with_ils(desk, ils)
    return ils


async def consenting(desk: Desk, address: Address = READER) -> None:
    await desk.say(address, "/start")
    await desk.press(address, "consent:yes")


async def typed(desk: Desk, address: Address, text: str, message_id: int) -> Reply:
    await desk.service.handle(
        Event(address=address, sender_id=address.peer_id, text=text, message_id=message_id)
    )
    return desk.messenger(address).last(address)


async def linked(
    desk: Desk, address: Address = READER, pin: str = SECRET_PIN, card: str = DEMO_CARD
) -> Reply:
    """Consent, then link ``card`` with ``pin`` typed as its own message (id 777)."""
    await consenting(desk, address)
    await desk.press(address, "menu:loans")
    await desk.press(address, "ln:link")
    await desk.say(address, card)
    return await typed(desk, address, pin, message_id=777)


async def card_of(desk: Desk, address: Address = READER) -> LibraryCard | None:
    """The card stored for the reader at ``address``, who must exist."""
    reader = await desk.storage.readers.get(address)
    assert reader is not None
    return await desk.storage.cards.get(reader.id)
