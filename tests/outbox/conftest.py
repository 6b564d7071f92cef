"""Fixtures shared by the outbox sender's tests."""

from __future__ import annotations

from typing import Any

import pytest

from bot.outbox import OutboxSender, SenderTuning
from handlers.core.ports import Outbox
from storage.models import Platform
from tests.outbox.fakes import ManualClock, RecordingReaders, ScriptedMessenger
from tests.outbox.helpers import SenderFactory
from tests.outbox.memory_outbox import MemoryOutbox


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def outbox(clock: ManualClock) -> MemoryOutbox:
    return MemoryOutbox(clock)


@pytest.fixture
def readers() -> RecordingReaders:
    return RecordingReaders()


@pytest.fixture
def telegram() -> ScriptedMessenger:
    return ScriptedMessenger(Platform.TELEGRAM)


@pytest.fixture
def vk() -> ScriptedMessenger:
    return ScriptedMessenger(Platform.VK)


@pytest.fixture
def make_sender(
    outbox: MemoryOutbox,
    readers: RecordingReaders,
    telegram: ScriptedMessenger,
    vk: ScriptedMessenger,
    clock: ManualClock,
) -> SenderFactory:
    """Build a sender over the fixtures. ``platforms`` chooses which messengers are configured
    (both by default), ``over`` replaces the memory outbox, and the other keyword arguments
    are ``SenderTuning`` fields."""

    def build(
        platforms: tuple[Platform, ...] = (Platform.TELEGRAM, Platform.VK),
        over: Outbox | None = None,
        **tuning: Any,
    ) -> OutboxSender:
        messengers = {Platform.TELEGRAM: telegram, Platform.VK: vk}
        return OutboxSender(
            over or outbox,
            readers,
            {platform: messengers[platform] for platform in platforms},
            clock=clock,
            tuning=SenderTuning(**tuning),
            random_fraction=lambda: 0.5,
        )

    return build
