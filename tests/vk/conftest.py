from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.playground.platforms.vk_server import FakeVkServer
from bot.vk import RetryPolicy, VkAdapter

FAST_RETRY = RetryPolicy(
    attempts=3,
    delays={6: 0.01, 9: 0.01, 29: 0.02},
    give_up_after={6: 1.0, 9: 10.0, 29: 60.0},
)


@pytest.fixture
async def vk() -> AsyncIterator[FakeVkServer]:
    async with FakeVkServer() as server:
        yield server


@pytest.fixture
async def adapter(vk: FakeVkServer) -> AsyncIterator[VkAdapter]:
    async with VkAdapter.create(vk.token, base_url=vk.api_base, retry=FAST_RETRY) as adapter:
        yield adapter
