"""A turn's state is stored before its answer goes out: the reader acts on the answer the
moment it arrives, and behind several workers that next update may reach another process."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.core.events import Event
from handlers.core.reader_service import ReaderService
from handlers.core.replies import Reply
from storage.models import Address, Platform
from tests.handlers.conftest import Desk, build_service
from tests.handlers.ticket_steps import consenting_reader, payloads
from tests.support.recording import RecordingMessenger

READER = Address(Platform.TELEGRAM, 4343)
SEND = "form:factographic:confirm:send"


@dataclass
class EagerReader(RecordingMessenger):
    """Presses ``button`` the instant an answer offering it is sent, through ``then``."""

    button: str = ""
    then: Callable[[str], Awaitable[None]] | None = None

    async def send(self, to: Address, reply: Reply, *, idempotency_key: str | None = None) -> int:
        number = await super().send(to, reply, idempotency_key=idempotency_key)
        if self.then is not None and self.button in payloads(reply):
            press, self.then = self.then, None
            await press(self.button)
        return number


def press(worker: ReaderService, payload: str) -> Awaitable[None]:
    return worker.handle(
        Event(
            address=READER,
            sender_id=READER.peer_id,
            payload=payload,
            callback_id="cb",
            display_name="Анна Петрова",
        )
    )


async def test_a_button_pressed_on_another_worker_as_the_answer_arrives_finds_its_step(
    desk: Desk,
) -> None:
    other = RecordingMessenger(Platform.TELEGRAM)
    second = build_service(desk.storage, other, RecordingMessenger(Platform.VK), clock=desk.clock)
    await consenting_reader(desk, READER)
    await desk.press(READER, "menu:ask")
    await desk.press(READER, "ask:factographic")
    await desk.say(READER, "Сколько лет журналу «Кардиология»?")
    eager = EagerReader(Platform.TELEGRAM, button=SEND)
    eager.then = lambda payload: press(second, payload)
    first = build_service(desk.storage, eager, RecordingMessenger(Platform.VK), clock=desk.clock)

    await press(first, "form:factographic:files:skip")

    assert eager.then is None, "the summary offered the send button"
    texts = [reply.text for _, reply in other.sent]
    assert len(texts) == 1 and "Запрос №" in texts[0] and "принят" in texts[0], texts
    reader = await desk.storage.readers.get(READER)
    assert reader is not None
    assert await desk.storage.tickets.latest_active_for_reader(reader.id) is not None
