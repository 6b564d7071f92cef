"""VK group chats: replies in and out, no topics, and who administers the chat."""

from __future__ import annotations

import json

import pytest

from bot.playground.platforms.vk_server import FakeVkServer
from bot.vk import VkAdapter, VkMessenger
from handlers.core.messenger import DeliveryError
from handlers.core.replies import Reply
from storage.models import Address, Platform, StaffMember

CHAT_PEER = 2_000_000_001
CHAT = Address(Platform.VK, CHAT_PEER)
STAFF = 71


async def test_a_chat_message_names_the_chat_and_its_sender(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    event = await adapter.converter.convert(
        vk.build_message_new(CHAT_PEER, "Беру №12", from_id=STAFF)
    )

    assert event is not None
    assert (event.address, event.sender_id, event.is_private) == (CHAT, STAFF, False)
    assert (event.thread_id, event.reply_to_message_id) == (None, None)


async def test_a_reply_names_the_message_replied_to(vk: FakeVkServer, adapter: VkAdapter) -> None:
    card = await adapter.messenger.send(CHAT, Reply("Карточка №12"))

    event = await adapter.converter.convert(
        vk.build_message_new(CHAT_PEER, "Ответ читателю", from_id=STAFF, reply_to=card)
    )

    assert event is not None
    assert event.reply_to_message_id == card


async def test_forwarding_one_message_of_the_chat_counts_as_a_reply(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    card = await adapter.messenger.send(CHAT, Reply("Карточка №13"))

    event = await adapter.converter.convert(
        vk.build_message_new(CHAT_PEER, "Ответ", from_id=STAFF, forwarded=[card])
    )

    assert event is not None
    assert event.reply_to_message_id == card


async def test_other_forwards_are_not_replies(vk: FakeVkServer, adapter: VkAdapter) -> None:
    first = await adapter.messenger.send(CHAT, Reply("Карточка №14"))
    second = await adapter.messenger.send(CHAT, Reply("Карточка №15"))
    elsewhere = vk.forwarded_message(CHAT_PEER, first) | {"peer_id": CHAT_PEER + 1}
    without_peer = {
        k: v for k, v in vk.forwarded_message(CHAT_PEER, first).items() if k != "peer_id"
    }

    for update in (
        vk.build_message_new(CHAT_PEER, "x", from_id=STAFF, forwarded=[first, second]),
        vk.build_message_new(CHAT_PEER, "x", from_id=STAFF, fwd_messages=[elsewhere]),
        vk.build_message_new(CHAT_PEER, "x", from_id=STAFF, fwd_messages=[without_peer]),
    ):
        event = await adapter.converter.convert(update)
        assert event is not None
        assert event.reply_to_message_id is None


async def test_a_reply_goes_out_as_a_forward_with_is_reply(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    card = await adapter.messenger.send(CHAT, Reply("Карточка №16"))

    last = await adapter.messenger.send(CHAT, Reply("Заметка " * 700, reply_to=card, thread_id=5))

    _, first, second = vk.sent_to(CHAT_PEER)
    assert first.forward == {
        "peer_id": CHAT_PEER,
        "conversation_message_ids": [card],
        "is_reply": 1,
    }
    assert first.reply_to == card
    assert second.forward is None
    assert second.conversation_message_id == last
    sent_params = vk.calls_of("messages.send")[-2].params
    assert "reply_to" not in sent_params
    assert "message_thread_id" not in sent_params
    assert json.loads(sent_params["forward"])["is_reply"] == 1


async def test_a_batch_to_many_peers_is_never_a_reply(vk: FakeVkServer, adapter: VkAdapter) -> None:
    await adapter.messenger.send_many([11, 12], Reply("Новинки", reply_to=3))

    assert all(delivery.forward is None for delivery in vk.deliveries)


async def test_vk_chats_have_no_topics(vk: FakeVkServer, adapter: VkAdapter) -> None:
    assert await adapter.messenger.create_topic(CHAT, "№17") is None
    await adapter.messenger.reopen_topic(CHAT, 1)

    assert vk.calls == []


@pytest.mark.parametrize(
    ("admin", "owner", "expected"),
    [(True, False, True), (False, True, True), (False, False, False)],
)
async def test_admins_and_the_owner_administer_the_chat(
    vk: FakeVkServer, adapter: VkAdapter, admin: bool, owner: bool, expected: bool
) -> None:
    vk.add_chat_member(CHAT_PEER, STAFF, admin=admin, owner=owner)

    assert await adapter.messenger.is_chat_admin(CHAT, STAFF) is expected


async def test_one_call_answers_for_everyone_in_the_chat_for_a_while(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    vk.add_chat_member(CHAT_PEER, STAFF, admin=True)
    vk.add_chat_member(CHAT_PEER, 72)

    assert await adapter.messenger.is_chat_admin(CHAT, STAFF)
    assert not await adapter.messenger.is_chat_admin(CHAT, 72)
    assert not await adapter.messenger.is_chat_admin(CHAT, 73)
    assert len(vk.calls_of("messages.getConversationMembers")) == 1


async def test_a_new_admin_is_seen_once_the_cache_expires(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    messenger = VkMessenger(adapter.api, admin_cache_ttl=0)
    vk.add_chat_member(CHAT_PEER, STAFF)
    assert not await messenger.is_chat_admin(CHAT, STAFF)

    vk.add_chat_member(CHAT_PEER, STAFF, admin=True)

    assert await messenger.is_chat_admin(CHAT, STAFF)


async def test_members_past_the_first_page_are_found(vk: FakeVkServer, adapter: VkAdapter) -> None:
    for user in range(1, 260):
        vk.add_chat_member(CHAT_PEER, user)
    vk.add_chat_member(CHAT_PEER, 260, admin=True)

    assert await adapter.messenger.is_chat_admin(CHAT, 260)
    assert len(vk.calls_of("messages.getConversationMembers")) == 2


async def test_without_access_to_the_chat_nobody_is_an_admin_until_access_is_given(
    vk: FakeVkServer, adapter: VkAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    vk.add_chat_member(CHAT_PEER, STAFF, admin=True)
    vk.set_community_admin(CHAT_PEER, False)

    assert not await adapter.messenger.is_chat_admin(CHAT, STAFF)
    assert "VK error 917" in caplog.text

    vk.set_community_admin(CHAT_PEER, True)
    assert await adapter.messenger.is_chat_admin(CHAT, STAFF)


async def test_a_private_conversation_has_no_admins(vk: FakeVkServer, adapter: VkAdapter) -> None:
    assert not await adapter.messenger.is_chat_admin(Address(Platform.VK, STAFF), STAFF)
    assert vk.calls == []


async def test_the_admin_list_names_the_admins_and_the_owner(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    vk.add_user(STAFF, "Мария", "Иванова")
    vk.add_user(72, "Пётр", "Соколов")
    vk.add_chat_member(CHAT_PEER, STAFF, admin=True)
    vk.add_chat_member(CHAT_PEER, 72, owner=True)
    vk.add_chat_member(CHAT_PEER, 73)

    admins = await adapter.messenger.chat_admins(CHAT)

    assert sorted(admins, key=lambda member: member.user_id) == [
        StaffMember(Platform.VK, STAFF, "Мария Иванова"),
        StaffMember(Platform.VK, 72, "Пётр Соколов"),
    ]
    assert await adapter.messenger.is_chat_admin(CHAT, 72)
    assert len(vk.calls_of("messages.getConversationMembers")) == 1


async def test_without_access_the_admin_list_raises(vk: FakeVkServer, adapter: VkAdapter) -> None:
    vk.add_chat_member(CHAT_PEER, STAFF, admin=True)
    vk.set_community_admin(CHAT_PEER, False)

    with pytest.raises(DeliveryError):
        await adapter.messenger.chat_admins(CHAT)
