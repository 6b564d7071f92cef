"""The reader side with the real staff desk: what a reader sends reaches the staff chat."""

from __future__ import annotations

from datetime import timedelta

from bot.features import Wiring
from handlers.core.config import LibraryProfile, ReaderPolicy, ServiceConfig
from handlers.core.events import Attachment, AttachmentKind
from handlers.core.i18n import Catalog
from storage.models import Address, Platform
from tests.handlers.conftest import STAFF, Desk
from tests.handlers.ticket_steps import consenting_reader

READER = Address(Platform.VK, 7001)


async def test_a_request_and_a_follow_up_reach_the_staff_chat(desk: Desk) -> None:
    config = ServiceConfig(
        library=LibraryProfile(name="Библиотека"), policy=ReaderPolicy(), staff_chat=STAFF
    )
    messengers = {Platform.TELEGRAM: desk.telegram, Platform.VK: desk.vk}
    storage = desk.storage
    wiring = Wiring.over(
        storage, catalog=Catalog(), messengers=messengers, config=config, clock=desk.clock
    )
    desk.service = wiring.reader_service(wiring.staff_desk())
    await consenting_reader(desk, READER)
    await desk.press(READER, "ask:clarifying")
    await desk.say(READER, "Петров П. Кардиология. 20??")
    photo = Attachment(AttachmentKind.PHOTO, Platform.VK, ref="https://vk.example/photo.jpg")
    await desk.say(READER, "", attachments=(photo,))
    await desk.press(READER, "form:clarifying:files:skip")
    reply = await desk.press(READER, "form:clarifying:confirm:send")
    assert "Запрос №1 принят" in reply.text
    await desk.say(READER, "Нашёл ещё год: 2018")

    later = desk.clock.now + timedelta(days=1)
    rows = await storage.outbox.claim(20, later, 30)
    to_staff = [row for row in rows if row.address == STAFF]
    texts = "\n".join(str(row.payload.get("text", "")) for row in to_staff)
    assert "Петров П. Кардиология. 20??" in texts
    assert "Нашёл ещё год: 2018" in texts
    relayed = [a for row in to_staff for a in row.payload.get("attachments", [])]
    assert [a["ref"] for a in relayed] == ["https://vk.example/photo.jpg"]
