"""Delivery on VK through the real application: error 6 waited out without duplicates, and a
reader who blocked the community marked unreachable by the outbox."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Application
from bot.playground.platforms.vk_server import Call, FakeVkServer
from handlers.core.replies import Reply
from storage.models import Address, OutboxItem, OutboxStatus, Platform
from storage.types import utcnow
from tests.e2e.conftest import Launcher
from tests.e2e.vk_client import eventually, press, say, start

READER = 7201
ADDRESS = Address(Platform.VK, READER)
SETTLED = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.CANCELLED)


def sends_to(vk: FakeVkServer, peer: int) -> list[Call]:
    """The ``messages.send`` calls made for ``peer``, answered or refused."""
    return [
        call
        for call in vk.calls_of("messages.send")
        if str(peer) in (call.params.get("peer_ids") or call.params.get("peer_id") or "").split(",")
    ]


def texts_to(vk: FakeVkServer, peer: int) -> list[str]:
    return [delivery.text for delivery in vk.sent_to(peer)]


async def enqueue(app: Application, key: str, text: str) -> None:
    """Put a row in the outbox as a job or a staff answer would, and wake the sender."""
    assert await app.storage.outbox.enqueue(key, ADDRESS, Reply(text=text).to_dict())
    app.sender.notify()


async def settled(app: Application, key: str) -> OutboxItem:
    """The outbox row ``key`` once it is sent, failed or cancelled."""

    async def done() -> bool:
        item = await app.storage.outbox.get(key)
        return item is not None and item.status in SETTLED

    await eventually(done)
    item = await app.storage.outbox.get(key)
    assert item is not None
    return item


async def reachable(app: Application) -> bool:
    reader = await app.storage.readers.get(ADDRESS)
    assert reader is not None
    return reader.reachable


async def test_error_6_on_a_reply_is_waited_out_and_delivered_once(
    vk: FakeVkServer, launch: Launcher
) -> None:
    await start(launch, vk)
    vk.fail_next(6, method="messages.send")

    welcome = await say(vk, READER, "Здравствуйте")

    calls = sends_to(vk, READER)
    assert len(calls) == 2, "the refused call, then one retry"
    assert calls[0].params["random_id"] == calls[1].params["random_id"] == str(welcome.random_id)
    # Turns of one reader run one at a time, so by the time the next answer arrives every
    # send of the first turn is over: a stray duplicate would be in the list by now.
    await press(vk, READER, "consent:yes")
    assert texts_to(vk, READER).count(welcome.text) == 1
    assert len(vk.sent_to(READER)) == 2


async def test_outbox_row_outlasts_error_6_and_is_delivered_once(
    vk: FakeVkServer, launch: Launcher
) -> None:
    app = await start(launch, vk)
    await say(vk, READER, "Здравствуйте")
    before = len(sends_to(vk, READER))
    # More refusals than the API client retries by itself: the outbox has to wait them out.
    vk.fail_next(6, method="messages.send", times=3)

    await enqueue(app, "e2e:error-6", "Книга, которую вы ждали, поступила.")

    item = await settled(app, "e2e:error-6")
    assert item.status is OutboxStatus.SENT
    assert item.attempts == 1, "put back once after the client's own three tries"
    assert "VK error 6" in (item.last_error or "")
    assert texts_to(vk, READER).count("Книга, которую вы ждали, поступила.") == 1
    calls = sends_to(vk, READER)[before:]
    assert len(calls) == 4
    assert len({call.params["random_id"] for call in calls}) == 1, "one idempotency key"


async def test_blocked_reader_is_marked_unreachable_until_they_write_again(
    vk: FakeVkServer, launch: Launcher
) -> None:
    app = await start(launch, vk)
    await say(vk, READER, "Здравствуйте")
    await press(vk, READER, "consent:yes")
    assert await reachable(app)
    vk.block(READER, 901)
    before = len(sends_to(vk, READER))

    await app.storage.outbox.enqueue(
        "e2e:later",
        ADDRESS,
        Reply(text="Напоминание о сроке возврата").to_dict(),
        not_before=utcnow() + timedelta(hours=1),
    )
    await enqueue(app, "e2e:answer", "Ответ библиотекаря")

    failed = await settled(app, "e2e:answer")
    assert failed.status is OutboxStatus.FAILED
    assert "VK error 901" in (failed.last_error or "")

    async def unreachable() -> bool:
        return not await reachable(app)

    await eventually(unreachable)
    later = await app.storage.outbox.get("e2e:later")
    assert later is not None and later.status is OutboxStatus.CANCELLED
    assert len(sends_to(vk, READER)) == before + 1, "one refused send, nothing more"
    assert "Ответ библиотекаря" not in texts_to(vk, READER)

    # On VK a user who writes to a community lets it answer again; the fake needs telling.
    vk.unblock(READER)
    menu = await say(vk, READER, "/menu")
    assert menu.text == "Чем можем помочь?"
    assert await reachable(app)

    await enqueue(app, "e2e:after", "Ответ библиотекаря, ещё раз")
    assert (await settled(app, "e2e:after")).status is OutboxStatus.SENT
    assert texts_to(vk, READER).count("Ответ библиотекаря, ещё раз") == 1


async def test_no_send_is_attempted_for_a_row_enqueued_while_unreachable(
    vk: FakeVkServer, launch: Launcher
) -> None:
    app = await start(launch, vk)
    await say(vk, READER, "Здравствуйте")
    vk.block(READER, 901)
    await enqueue(app, "e2e:first", "Первое уведомление")
    await settled(app, "e2e:first")

    async def unreachable() -> bool:
        return not await reachable(app)

    await eventually(unreachable)
    before = len(sends_to(vk, READER))

    await enqueue(app, "e2e:next", "Следующее уведомление")

    item = await settled(app, "e2e:next")
    assert item.status is OutboxStatus.CANCELLED
    assert len(sends_to(vk, READER)) == before, "no messages.send for an unreachable reader"
