"""The latest state of one thing (a staff-chat card): a newer state replaces the pending one,
and a state equal to the one already shown is not queued."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.database import Storage
from storage.models import Address, OutboxItem, OutboxStatus, Platform
from storage.outbox import OutboxRepository

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STAFF_CHAT = Address(Platform.TELEGRAM, -100_500)
CARD = "card:12"


@pytest.fixture
def outbox(storage: Storage) -> OutboxRepository:
    """The outbox on a clock stopped at ``T0``, so that what it enqueues is due at ``T0``."""
    return OutboxRepository(storage.engine, lambda: T0)


def _state(text: str) -> dict[str, str]:
    return {"text": text}


async def _statuses(outbox: OutboxRepository, *keys: str) -> list[OutboxStatus | None]:
    items = [await outbox.get(key) for key in keys]
    return [item.status if item else None for item in items]


async def _sent(outbox: OutboxRepository) -> OutboxItem:
    (item,) = await outbox.claim(10, T0, 60)
    await outbox.mark_sent(item.id, T0)
    return item


async def test_a_newer_state_replaces_the_pending_one_in_its_place(
    outbox: OutboxRepository,
) -> None:
    assert await outbox.enqueue_latest("s1", STAFF_CHAT, _state("open"), CARD)
    assert await outbox.enqueue("post", STAFF_CHAT, {"text": "a post"})
    assert await outbox.enqueue_latest("s2", STAFF_CHAT, _state("answered"), CARD)

    claimed = await outbox.claim(10, T0, 60)

    assert [(item.key, item.payload) for item in claimed] == [
        ("s1", _state("answered")),
        ("post", {"text": "a post"}),
    ]
    assert await outbox.get("s2") is None


async def test_other_groups_are_left_alone(outbox: OutboxRepository) -> None:
    assert await outbox.enqueue_latest("a", STAFF_CHAT, _state("open"), "card:1")
    assert await outbox.enqueue_latest("b", STAFF_CHAT, _state("open"), "card:2")

    assert await _statuses(outbox, "a", "b") == [OutboxStatus.PENDING] * 2


async def test_a_state_equal_to_the_one_shown_is_not_queued(outbox: OutboxRepository) -> None:
    assert await outbox.enqueue_latest("s1", STAFF_CHAT, _state("open"), CARD)
    await _sent(outbox)

    assert not await outbox.enqueue_latest("s2", STAFF_CHAT, _state("open"), CARD)
    assert await outbox.get("s2") is None


async def test_going_back_to_the_shown_state_cancels_the_pending_change(
    outbox: OutboxRepository,
) -> None:
    assert await outbox.enqueue_latest("s1", STAFF_CHAT, _state("open"), CARD)
    await _sent(outbox)
    assert await outbox.enqueue_latest("s2", STAFF_CHAT, _state("taken"), CARD)

    assert not await outbox.enqueue_latest("s3", STAFF_CHAT, _state("open"), CARD)

    assert await _statuses(outbox, "s1", "s2", "s3") == [
        OutboxStatus.SENT,
        OutboxStatus.CANCELLED,
        None,
    ]


async def test_a_state_in_flight_is_not_replaced_but_followed(outbox: OutboxRepository) -> None:
    assert await outbox.enqueue_latest("s1", STAFF_CHAT, _state("open"), CARD)
    (in_flight,) = await outbox.claim(10, T0, 60)

    assert await outbox.enqueue_latest("s2", STAFF_CHAT, _state("answered"), CARD)
    await outbox.mark_sent(in_flight.id, T0)

    assert in_flight.payload == _state("open")
    (follower,) = await outbox.claim(10, T0, 60)
    assert (follower.key, follower.payload) == ("s2", _state("answered"))
    # Back to a state other than the newest shown one: it is queued again.
    await outbox.mark_sent(follower.id, T0)
    assert await outbox.enqueue_latest("s3", STAFF_CHAT, _state("open"), CARD)
