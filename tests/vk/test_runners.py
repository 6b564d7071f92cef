from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.playground.platforms.vk_server import FakeVkServer
from bot.vk import CallbackEndpoint, LongPollRunner, VkAdapter
from handlers.core.events import Event

SECRET = "callback-secret"


class Collector:
    """A handler that records events and fails on request."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.fail_on: set[str] = set()
        self.block_on: set[str] = set()
        self.release = asyncio.Event()

    async def __call__(self, event: Event) -> None:
        if event.text in self.block_on:
            await self.release.wait()
        self.events.append(event)
        if event.text in self.fail_on:
            raise RuntimeError("handler bug")

    @property
    def texts(self) -> list[str | None]:
        return [e.text for e in self.events]


@pytest.fixture
async def polling(
    vk: FakeVkServer, adapter: VkAdapter
) -> AsyncIterator[tuple[LongPollRunner, Collector]]:
    collector = Collector()
    runner = adapter.long_poll(collector, group_id=vk.group_id, wait=1)
    task = asyncio.create_task(runner.run())
    await vk.wait_for_poller()
    yield runner, collector
    collector.release.set()
    await runner.stop(grace=2)
    assert task.done()


async def test_long_poll_delivers_messages_and_presses(
    vk: FakeVkServer, polling: tuple[LongPollRunner, Collector]
) -> None:
    _, collector = polling
    vk.push_message(42, "hello")
    vk.push_message_event(42, {"p": "menu:1"})

    await vk.wait_for(lambda: len(collector.events) == 2)

    message, press = sorted(collector.events, key=lambda e: e.payload is not None)
    assert message.text == "hello"
    assert press.payload == "menu:1"
    assert press.callback_id is not None


async def test_a_raising_handler_does_not_stop_the_loop(
    vk: FakeVkServer, polling: tuple[LongPollRunner, Collector], caplog: pytest.LogCaptureFixture
) -> None:
    _, collector = polling
    collector.fail_on.add("boom")
    vk.push_message(42, "boom")
    await vk.wait_for(lambda: collector.texts == ["boom"])

    vk.push_message(42, "still here")

    await vk.wait_for(lambda: collector.texts == ["boom", "still here"])
    assert "Handling a VK message_new update failed" in caplog.text


async def test_a_slow_reader_does_not_block_others(
    vk: FakeVkServer, polling: tuple[LongPollRunner, Collector]
) -> None:
    _, collector = polling
    collector.block_on.add("slow")
    vk.push_message(1, "slow")
    vk.push_message(2, "fast")

    await vk.wait_for(lambda: collector.texts == ["fast"])
    collector.release.set()
    await vk.wait_for(lambda: collector.texts == ["fast", "slow"])


async def test_long_poll_recovers_from_failures(
    vk: FakeVkServer, polling: tuple[LongPollRunner, Collector]
) -> None:
    _, collector = polling
    vk.push_message(42, "one")
    await vk.wait_for(lambda: collector.texts == ["one"])

    vk.expire_key()
    vk.push_message(42, "two")
    await vk.wait_for(lambda: collector.texts == ["one", "two"])

    checks = vk.long_poll_checks
    vk.fail_long_poll_next(1)
    await vk.wait_for_poller(after_checks=checks)
    vk.push_message(42, "three")
    await vk.wait_for(lambda: collector.texts == ["one", "two", "three"])

    checks = vk.long_poll_checks
    vk.fail_long_poll_next(3)
    await vk.wait_for_poller(after_checks=checks)
    vk.push_message(42, "four")
    await vk.wait_for(lambda: "four" in collector.texts)

    assert len(vk.calls_of("groups.getLongPollServer")) >= 3
    assert collector.texts.count("two") == 1


async def test_long_poll_survives_api_errors(vk: FakeVkServer, adapter: VkAdapter) -> None:
    collector = Collector()
    vk.http_error_next(500, method="groups.getLongPollServer")
    naps: list[float] = []

    async def nap(seconds: float) -> None:
        naps.append(seconds)
        await asyncio.sleep(0)

    runner = LongPollRunner(
        adapter.api,
        adapter.long_poll(collector, group_id=None).dispatcher,
        wait=1,
        sleep=nap,
    )
    task = asyncio.create_task(runner.run())
    try:
        await vk.wait_for_poller()
        vk.push_message(42, "after the outage")
        await vk.wait_for(lambda: collector.texts == ["after the outage"])
    finally:
        await runner.stop()
    assert task.done()
    assert naps
    assert runner.group_id == vk.group_id


@pytest.fixture
async def callback_url(
    vk: FakeVkServer, adapter: VkAdapter
) -> AsyncIterator[tuple[str, Collector, CallbackEndpoint]]:
    collector = Collector()
    endpoint = adapter.callback(
        collector, confirmation_code=vk.confirmation_code, secret=SECRET, group_id=vk.group_id
    )
    app = web.Application()
    endpoint.add_to(app, "/vk/callback")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/vk/callback", collector, endpoint
    await endpoint.close()
    await runner.cleanup()


async def test_callback_confirmation(
    vk: FakeVkServer, callback_url: tuple[str, Collector, CallbackEndpoint]
) -> None:
    url, _, _ = callback_url

    assert await vk.push_confirmation(url, secret=SECRET) == (200, vk.confirmation_code)


async def test_callback_with_a_wrong_secret_is_refused(
    vk: FakeVkServer, callback_url: tuple[str, Collector, CallbackEndpoint]
) -> None:
    url, collector, _ = callback_url

    status, _ = await vk.post_callback(url, vk.build_message_new(42, "x"), secret="wrong")
    no_secret, _ = await vk.post_callback(url, vk.build_message_new(42, "y"))
    confirmation, body = await vk.push_confirmation(url, secret="wrong")

    assert (status, no_secret, confirmation) == (403, 403, 403)
    assert body != vk.confirmation_code
    await asyncio.sleep(0.05)
    assert collector.events == []


async def test_callback_events_are_answered_ok_and_handled(
    vk: FakeVkServer, callback_url: tuple[str, Collector, CallbackEndpoint]
) -> None:
    url, collector, _ = callback_url
    collector.block_on.add("slow")
    update = vk.build_message_new(42, "slow")

    assert await vk.post_callback(url, update, secret=SECRET) == (200, "ok")
    assert await vk.post_callback(url, update, secret=SECRET) == (200, "ok")
    assert collector.events == []

    collector.release.set()
    await vk.wait_for(lambda: collector.texts == ["slow"])
    await asyncio.sleep(0.05)
    assert collector.texts == ["slow"]


async def test_callback_rejects_garbage(
    vk: FakeVkServer, callback_url: tuple[str, Collector, CallbackEndpoint]
) -> None:
    url, _, _ = callback_url

    status, _ = await vk.post_callback(
        url, {"type": "message_new"} | {"group_id": 999}, secret=SECRET
    )

    assert status == 403
