"""The long poll keeps its position across restarts: updates that arrive while no runner is
polling are read by the next one, and an update still being handled when the runner stops
is read again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from bot.playground.platforms.vk_server import FakeVkServer
from bot.vk import LongPollRunner, VkAdapter
from tests.vk.test_runners import Collector


class MemoryCursors:
    """``CursorStore`` in a dict: what the database keeps between two runners. Each save is
    logged with what the collector had handled at that moment."""

    def __init__(self, collector: Collector) -> None:
        self.values: dict[str, str] = {}
        self.saves: list[tuple[int, list[str | None]]] = []
        self._collector = collector

    async def load(self, name: str) -> str | None:
        return self.values.get(name)

    async def save(self, name: str, value: str) -> None:
        self.values[name] = value
        self.saves.append((int(value), list(self._collector.texts)))


class Poller:
    """Starts and stops runners that share one ``MemoryCursors``, as restarts of the bot
    share one database."""

    def __init__(self, vk: FakeVkServer, adapter: VkAdapter) -> None:
        self.vk = vk
        self.adapter = adapter
        self.collector = Collector()
        self.cursors = MemoryCursors(self.collector)
        self._running: list[LongPollRunner] = []
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def saved(self) -> int | None:
        value = self.cursors.values.get(f"vk:{self.vk.group_id}:longpoll")
        return int(value) if value is not None else None

    async def start(self) -> LongPollRunner:
        checks = self.vk.long_poll_checks
        runner = self.adapter.long_poll(
            self.collector, group_id=self.vk.group_id, cursors=self.cursors, wait=1
        )
        self._tasks.append(asyncio.create_task(runner.run()))
        self._running.append(runner)
        await self.vk.wait_for_poller(after_checks=checks)
        return runner

    async def stop(self, runner: LongPollRunner, grace: float = 2.0) -> None:
        self._running.remove(runner)
        await runner.stop(grace=grace)

    async def close(self) -> None:
        self.collector.release.set()
        for runner in list(self._running):
            await self.stop(runner)
        assert all(task.done() for task in self._tasks)


@pytest.fixture
async def poller(vk: FakeVkServer, adapter: VkAdapter) -> AsyncIterator[Poller]:
    poller = Poller(vk, adapter)
    yield poller
    await poller.close()


async def test_messages_sent_while_stopped_are_read_after_the_restart(
    vk: FakeVkServer, poller: Poller
) -> None:
    runner = await poller.start()
    vk.push_message(42, "before")
    await vk.wait_for(lambda: poller.collector.texts == ["before"])
    await poller.stop(runner)

    vk.push_message(42, "while down")
    vk.push_message(43, "also while down")
    await poller.start()

    await vk.wait_for(lambda: len(poller.collector.texts) == 3)
    assert sorted(str(t) for t in poller.collector.texts[1:]) == ["also while down", "while down"]


async def test_the_position_is_saved_only_after_the_update_is_handled(
    vk: FakeVkServer, poller: Poller
) -> None:
    poller.collector.block_on.add("slow")
    await poller.start()
    vk.push_message(42, "first")
    await vk.wait_for(lambda: poller.saved == 1)

    vk.push_message(42, "slow")
    vk.push_message(43, "fast")
    await vk.wait_for(lambda: "fast" in poller.collector.texts)
    vk.push_message(44, "later")
    await vk.wait_for(lambda: "later" in poller.collector.texts)

    poller.collector.release.set()
    await vk.wait_for(lambda: poller.saved == 4)
    assert [ts for ts, _ in poller.cursors.saves] == sorted(ts for ts, _ in poller.cursors.saves)
    for ts, handled in poller.cursors.saves:
        assert ts < 2 or "slow" in handled, f"ts {ts} saved while «slow» was not handled"


async def test_an_update_cut_off_by_the_shutdown_is_read_again(
    vk: FakeVkServer, poller: Poller
) -> None:
    poller.collector.block_on.add("slow")
    runner = await poller.start()
    vk.push_message(42, "slow")
    await vk.wait_for(lambda: runner.dispatcher.running == 1)
    await poller.stop(runner, grace=0.05)
    assert poller.collector.texts == []
    assert poller.saved == 0

    poller.collector.release.set()
    await poller.start()

    await vk.wait_for(lambda: poller.collector.texts == ["slow"])


async def test_a_gap_longer_than_the_kept_history_is_logged_with_its_size(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with FakeVkServer(long_poll_history=3) as vk:
        poller = Poller(vk, VkAdapter.create(vk.token, base_url=vk.api_base))
        try:
            runner = await poller.start()
            vk.push_message(42, "before")
            await vk.wait_for(lambda: poller.saved == 1)
            await poller.stop(runner)
            for number in range(5):
                vk.push_message(42, f"lost {number}")

            with caplog.at_level(logging.WARNING, logger="bot.vk.longpoll"):
                await poller.start()
            vk.push_message(42, "after")

            await vk.wait_for(lambda: poller.collector.texts == ["before", "after"])
            assert "5 events missed (ts 1 to 6)" in caplog.text
            await vk.wait_for(lambda: poller.saved == 7)
        finally:
            await poller.close()
            await poller.adapter.close()


async def test_a_lost_long_poll_state_is_logged_and_polling_goes_on(
    vk: FakeVkServer, poller: Poller, caplog: pytest.LogCaptureFixture
) -> None:
    await poller.start()
    vk.push_message(42, "one")
    await vk.wait_for(lambda: poller.saved == 1)

    checks = vk.long_poll_checks
    with caplog.at_level(logging.WARNING, logger="bot.vk.longpoll"):
        vk.lose_long_poll_state()
        await vk.wait_for_poller(after_checks=checks + 1)
    vk.push_message(42, "two")

    await vk.wait_for(lambda: poller.collector.texts == ["one", "two"])
    assert "lost its state (failed: 3)" in caplog.text
    assert len(vk.calls_of("groups.getLongPollServer")) == 2


async def test_the_first_run_keeps_its_starting_position_at_once(
    vk: FakeVkServer, poller: Poller
) -> None:
    vk.push_message(42, "before the bot ever ran")
    runner = await poller.start()
    await vk.wait_for(lambda: poller.saved == 1)
    await poller.stop(runner)
    vk.push_message(42, "while down")

    await poller.start()

    await vk.wait_for(lambda: poller.collector.texts == ["while down"])
