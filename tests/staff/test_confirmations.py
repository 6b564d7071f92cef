"""A confirmation to staff is worth sending only while it is fresh: one held back by the
staff chat's budget past that is dropped, and the answer itself is unaffected."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.core.messenger import RetryAfter
from storage.models import Address, OutboxStatus, Platform
from storage.schema import outbox
from tests.staff.conftest import DeskFactory

VK_READER = Address(Platform.VK, 222)


@pytest.mark.parametrize(("held_for", "confirmed"), [(60, True), (181, False)])
async def test_a_confirmation_held_back_too_long_is_dropped(
    make_desk: DeskFactory, held_for: int, confirmed: bool
) -> None:
    desk = await make_desk(forum=True)
    await desk.open_ticket(await desk.reader(VK_READER))
    posts = len(desk.staff_posts())
    # The staff chat is over its budget: Telegram asks to wait before the next post.
    desk.telegram.failures.append(RetryAfter(held_for))

    await desk.staff_says("Подобрали 8 источников.", thread_id=101)

    assert len(desk.vk.replies_to(VK_READER)) == 1
    assert len(desk.staff_posts()) == posts
    desk.clock.advance(seconds=held_for)
    await desk.drain()

    acks = [post for post in desk.staff_posts()[posts:] if "отправляется читателю" in post.text]
    assert len(acks) == (1 if confirmed else 0)
    statement = select(outbox.c.status, outbox.c.last_error).where(
        outbox.c.idempotency_key.like("%:ack")
    )
    async with desk.storage.engine.connect() as conn:
        rows = [tuple(row) for row in await conn.execute(statement)]
    if confirmed:
        assert [status for status, _ in rows] == [OutboxStatus.SENT]
    else:
        assert rows == [(OutboxStatus.FAILED, "expired before it could be sent")]
