from __future__ import annotations

import json

from bot.playground.platforms.vk_server import FakeVkServer
from bot.vk import ClientCapabilities, VkAdapter
from handlers.core.replies import Button, Reply
from storage.models import Address, Platform

READER = Address(Platform.VK, 42)


def _menu(count: int, per_row: int = 2) -> tuple[tuple[Button, ...], ...]:
    buttons = [Button(f"Option {i}", f"menu:{i}") for i in range(1, count + 1)]
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, count, per_row))


def _callback(number: int) -> dict[str, object]:
    payload = f'{{"p":"menu:{number}"}}'
    return {
        "action": {"type": "callback", "label": f"Option {number}", "payload": payload},
        "color": "secondary",
    }


async def test_text_with_inline_callback_keyboard(vk: FakeVkServer, adapter: VkAdapter) -> None:
    reply = Reply("Choose a service", buttons=_menu(3))

    message_id = await adapter.messenger.send(READER, reply)

    [delivery] = vk.sent_to(42)
    assert delivery.text == "Choose a service"
    assert message_id == delivery.conversation_message_id
    assert delivery.keyboard == {
        "inline": True,
        "buttons": [[_callback(1), _callback(2)], [_callback(3)]],
    }


async def test_long_labels_are_cut_and_wide_rows_wrapped(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    long_label = "Продлить книгу «Внутренние болезни», том второй, издание 2024"
    row = (Button(long_label, "renew:1"), *(Button(str(i), f"n:{i}") for i in range(6)))

    await adapter.messenger.send(READER, Reply("Books", buttons=(row,)))

    keyboard = vk.sent_to(42)[0].keyboard
    assert keyboard is not None
    rows = keyboard["buttons"]
    assert [len(r) for r in rows] == [5, 2]
    label = rows[0][0]["action"]["label"]
    assert len(label) == 40
    assert label.endswith("…")
    assert long_label.startswith(label[:-1])


async def test_too_many_buttons_fall_back_to_numbered_lines(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    reply = Reply("Pick a topic", buttons=_menu(11))

    await adapter.messenger.send(READER, reply)

    [delivery] = vk.sent_to(42)
    assert delivery.keyboard is None
    expected = [f"{i}. {b.text}" for i, b in enumerate(reply.flat_buttons(), 1)]
    assert delivery.text.splitlines() == ["Pick a topic", "", *expected]


async def test_oversized_payload_falls_back(vk: FakeVkServer, adapter: VkAdapter) -> None:
    reply = Reply("Pick", buttons=((Button("Yes", "y" * 300), Button("No", "n")),))

    await adapter.messenger.send(READER, reply)

    [delivery] = vk.sent_to(42)
    assert delivery.keyboard is None
    assert delivery.text.endswith("1. Yes\n2. No")


async def test_client_without_inline_keyboards_gets_numbered_lines(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    update = vk.build_message_new(42, "hello", inline_keyboard=False, keyboard=False)
    event = await adapter.converter.convert(update)
    assert event is not None
    assert event.buttons_supported is False

    await adapter.messenger.send(READER, Reply("Pick", buttons=_menu(2)))

    [delivery] = vk.sent_to(42)
    assert delivery.keyboard is None
    assert delivery.text == "Pick\n\n1. Option 1\n2. Option 2"


async def test_client_without_callback_buttons_gets_text_buttons(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    adapter.messenger.capabilities.remember(42, ClientCapabilities(callback_buttons=False))

    await adapter.messenger.send(READER, Reply("Pick", buttons=_menu(1)))

    keyboard = vk.sent_to(42)[0].keyboard
    assert keyboard is not None
    assert keyboard["buttons"][0][0]["action"]["type"] == "text"


async def test_long_text_is_split_and_buttons_ride_on_the_last_part(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    paragraph = "Новые поступления по кардиологии. " * 40
    text = "\n".join([paragraph] * 8)
    assert len(text) > 4096

    last_id = await adapter.messenger.send(READER, Reply(text, buttons=_menu(1)))

    deliveries = vk.sent_to(42)
    assert len(deliveries) == 3
    assert all(len(d.text) <= 4096 for d in deliveries)
    assert [d.keyboard is not None for d in deliveries] == [False, False, True]
    assert last_id == deliveries[-1].conversation_message_id
    assert " ".join(d.text for d in deliveries).split() == text.split()


async def test_same_idempotency_key_delivers_once(vk: FakeVkServer, adapter: VkAdapter) -> None:
    reply = Reply("Your loan is renewed until 1 December")

    first = await adapter.messenger.send(READER, reply, idempotency_key="renew:17")
    second = await adapter.messenger.send(READER, reply, idempotency_key="renew:17")
    other = await adapter.messenger.send(READER, reply, idempotency_key="renew:18")

    assert first == second
    assert other != first
    assert len(vk.sent_to(42)) == 2
    assert len(vk.calls_of("messages.send")) == 3


async def test_without_a_key_each_send_is_new(vk: FakeVkServer, adapter: VkAdapter) -> None:
    await adapter.messenger.send(READER, Reply("a"))
    await adapter.messenger.send(READER, Reply("a"))

    assert len(vk.sent_to(42)) == 2


async def test_send_many_batches_peer_ids_by_hundred(vk: FakeVkServer, adapter: VkAdapter) -> None:
    peers = list(range(1, 251))
    vk.block(7)

    outcomes = await adapter.messenger.send_many(peers, Reply("New arrivals"), "digest:2026-11-23")

    calls = vk.calls_of("messages.send")
    assert [len(c.params["peer_ids"].split(",")) for c in calls] == [100, 100, 50]
    assert len(vk.deliveries) == 249
    assert isinstance(outcomes[7], Exception)
    assert all(isinstance(outcomes[p], int) for p in peers if p != 7)

    again = await adapter.messenger.send_many(peers, Reply("New arrivals"), "digest:2026-11-23")

    assert len(vk.deliveries) == 249
    assert {p: again[p] for p in peers if p != 7} == {p: outcomes[p] for p in peers if p != 7}


async def test_send_many_renders_per_client(vk: FakeVkServer, adapter: VkAdapter) -> None:
    adapter.messenger.capabilities.remember(2, ClientCapabilities(inline_keyboard=False))

    await adapter.messenger.send_many([1, 2, 3], Reply("Poll", buttons=_menu(2)), "poll:1")

    assert vk.sent_to(1)[0].keyboard is not None
    assert vk.sent_to(3)[0].keyboard is not None
    assert vk.sent_to(2)[0].keyboard is None
    assert vk.sent_to(2)[0].text.endswith("2. Option 2")
    assert len(vk.calls_of("messages.send")) == 2


async def test_keyboard_json_is_accepted_by_vk_rules(vk: FakeVkServer, adapter: VkAdapter) -> None:
    await adapter.messenger.send(READER, Reply("Ten", buttons=_menu(10, per_row=5)))

    keyboard = vk.sent_to(42)[0].keyboard
    assert keyboard is not None
    payloads = [json.loads(b["action"]["payload"])["p"] for r in keyboard["buttons"] for b in r]
    assert payloads == [f"menu:{i}" for i in range(1, 11)]
