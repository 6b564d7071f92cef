"""The fake VK API refuses parameters the VK API does not define for a method."""

from __future__ import annotations

import pytest
from vkbottle import VKAPIError

from bot.playground.platforms.vk_methods import METHOD_PARAMETERS
from bot.playground.platforms.vk_server import FakeVkServer
from bot.vk import VkAdapter


@pytest.mark.parametrize(
    ("method", "params", "unknown"),
    [
        ("messages.send", {"peer_id": 5, "random_id": 1, "message": "hi", "text": "hi"}, "text"),
        ("messages.send", {"peer_id": 5, "random_id": 1, "message": "hi", "reply": 1}, "reply"),
        ("messages.edit", {"peer_id": 5, "conversation_message_id": 1, "msg": "x"}, "msg"),
        ("users.get", {"user_ids": 1, "user_id": 1}, "user_id"),
        ("groups.getById", {"verbose": 1}, "verbose"),
    ],
)
async def test_a_parameter_the_method_does_not_define_is_error_100(
    vk: FakeVkServer,
    adapter: VkAdapter,
    method: str,
    params: dict[str, object],
    unknown: str,
) -> None:
    with pytest.raises(VKAPIError) as raised:
        await adapter.api.call(method, **params)

    assert raised.value.code == 100
    assert f"unknown parameter {unknown}" in str(raised.value)
    assert vk.sent_to(5) == []


async def test_the_parameters_the_bot_sends_are_accepted(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    await adapter.api.call(
        "messages.send",
        peer_id=5,
        random_id=7,
        message="hi",
        dont_parse_links=1,
        disable_mentions=1,
    )

    assert [d.text for d in vk.sent_to(5)] == ["hi"]


def test_every_method_the_fake_implements_has_its_parameters_listed(vk: FakeVkServer) -> None:
    assert set(vk._methods()) == set(METHOD_PARAMETERS)
