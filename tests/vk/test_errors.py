from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.playground.platforms.vk_server import FakeVkServer
from bot.vk import VkAdapter
from handlers.core.messenger import PermanentError, RecipientUnreachable, RetryAfter, TransientError
from handlers.core.replies import Reply
from storage.models import Address, Platform
from tests.vk.conftest import FAST_RETRY

READER = Address(Platform.VK, 42)


async def test_error_6_is_retried_then_succeeds(vk: FakeVkServer, adapter: VkAdapter) -> None:
    vk.fail_next(6, method="messages.send", times=2)

    await adapter.messenger.send(READER, Reply("hello"))

    assert len(vk.calls_of("messages.send")) == 3
    assert len(vk.sent_to(42)) == 1


@pytest.mark.parametrize("code", [6, 9, 29])
async def test_rate_errors_past_the_attempts_raise_retry_after(
    vk: FakeVkServer, adapter: VkAdapter, code: int
) -> None:
    vk.fail_next(code, method="messages.send", times=FAST_RETRY.attempts)

    with pytest.raises(RetryAfter) as raised:
        await adapter.messenger.send(READER, Reply("hello"))

    assert raised.value.seconds == FAST_RETRY.give_up_after[code]
    assert vk.sent_to(42) == []


@pytest.mark.parametrize("code", [901, 902, 7])
async def test_recipient_refusals_are_unreachable(
    vk: FakeVkServer, adapter: VkAdapter, code: int
) -> None:
    vk.fail_next(code)

    with pytest.raises(RecipientUnreachable):
        await adapter.messenger.send(READER, Reply("hello"))


async def test_blocked_reader_in_peer_ids_answer_is_unreachable(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    vk.block(42)

    with pytest.raises(RecipientUnreachable):
        await adapter.messenger.send(READER, Reply("hello"))


async def test_http_500_is_transient(vk: FakeVkServer, adapter: VkAdapter) -> None:
    vk.http_error_next(500)

    with pytest.raises(TransientError):
        await adapter.messenger.send(READER, Reply("hello"))


async def test_network_failure_is_transient(vk: FakeVkServer) -> None:
    async with VkAdapter.create(vk.token, base_url="http://127.0.0.1:9/method/") as adapter:
        with pytest.raises(TransientError):
            await adapter.messenger.send(READER, Reply("hello"))


async def test_other_errors_are_permanent(vk: FakeVkServer, adapter: VkAdapter) -> None:
    vk.fail_next(100)

    with pytest.raises(PermanentError):
        await adapter.messenger.send(READER, Reply("hello"))


async def test_wrong_token_is_permanent(vk: FakeVkServer) -> None:
    async with VkAdapter.create("wrong", base_url=vk.api_base) as adapter:
        with pytest.raises(PermanentError):
            await adapter.messenger.send(READER, Reply("hello"))


async def test_burst_stays_within_the_limit() -> None:
    async with (
        FakeVkServer(enforce_limits=True) as vk,
        VkAdapter.create(vk.token, base_url=vk.api_base, retry=FAST_RETRY) as adapter,
    ):
        await asyncio.gather(
            *(adapter.messenger.send(Address(Platform.VK, p), Reply("hi")) for p in range(60))
        )

        assert vk.too_many_requests == 0
        assert len(vk.deliveries) == 60


async def test_enforcing_fake_does_answer_error_6_without_the_limiter(vk: FakeVkServer) -> None:
    vk.enforce_limits = True
    async with VkAdapter.create(vk.token, base_url=vk.api_base, retry=FAST_RETRY) as adapter:
        adapter.api.limiter = _NoLimit()
        results = await asyncio.gather(
            *(adapter.messenger.send(Address(Platform.VK, p), Reply("hi")) for p in range(30)),
            return_exceptions=True,
        )

    assert vk.too_many_requests > 0
    assert any(isinstance(r, RetryAfter) for r in results) or len(vk.deliveries) == 30


async def test_token_never_reaches_the_log(
    vk: FakeVkServer, adapter: VkAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    vk.fail_next(6)
    await adapter.messenger.send(READER, Reply("first"))
    vk.fail_next(100)
    with pytest.raises(PermanentError):
        await adapter.messenger.send(READER, Reply("second"))

    assert caplog.records
    assert vk.token not in caplog.text
    assert all(vk.token not in str(call.params) for call in vk.calls)


class _NoLimit:
    @asynccontextmanager
    async def hold(self, limits: object) -> AsyncIterator[None]:
        yield


async def test_held_answer_is_delivered_before_the_sender_hears_back(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    vk.hold_next("messages.send")
    sending = asyncio.create_task(
        adapter.messenger.send(READER, Reply("reminder"), idempotency_key="due:5")
    )
    await vk.wait_for(lambda: vk.held_count == 1)

    assert len(vk.sent_to(42)) == 1
    assert not sending.done()

    vk.release_held()
    first = await sending
    again = await adapter.messenger.send(READER, Reply("reminder"), idempotency_key="due:5")
    assert again == first
    assert len(vk.sent_to(42)) == 1
