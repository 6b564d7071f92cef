"""Deleting the community's messages for everyone, within VK's 24 hours."""

from __future__ import annotations

import pytest

from bot.playground.platforms.vk_server import DELETE_WINDOW_SECONDS, FakeVkServer
from bot.vk import VkAdapter
from handlers.core.messenger import PermanentError
from handlers.core.replies import Reply
from storage.models import Address, Platform

CHAT = Address(Platform.VK, 2_000_000_001)


async def test_delete_removes_the_message_for_everyone(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    message_id = await adapter.messenger.send(CHAT, Reply("Анна Петрова: файл"))

    await adapter.messenger.delete(CHAT, message_id)

    assert vk.deleted == [(CHAT.peer_id, message_id)]
    [call] = vk.calls_of("messages.delete")
    assert (call.params["cmids"], call.params["delete_for_all"]) == (str(message_id), "1")
    with pytest.raises(PermanentError):
        await adapter.messenger.delete(CHAT, message_id)


async def test_a_message_older_than_24_hours_cannot_be_deleted(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    message_id = await adapter.messenger.send(CHAT, Reply("old"))
    vk.age_message(CHAT.peer_id, message_id, DELETE_WINDOW_SECONDS + 60)

    with pytest.raises(PermanentError, match="924"):
        await adapter.messenger.delete(CHAT, message_id)

    assert vk.deleted == []
