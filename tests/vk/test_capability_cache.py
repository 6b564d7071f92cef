"""The per-reader memory of VK clients' capabilities stays bounded and shares its values."""

from __future__ import annotations

from bot.vk.capabilities import CapabilityCache, ClientCapabilities


def test_readers_with_the_same_client_share_one_value() -> None:
    cache = CapabilityCache()

    for peer in range(1, 101):
        cache.remember(peer, ClientCapabilities(callback_buttons=False, language="ru"))

    first = cache.known(1)
    assert first == ClientCapabilities(callback_buttons=False, language="ru")
    assert all(cache.known(peer) is first for peer in range(2, 101))


def test_the_least_recently_heard_reader_is_forgotten_past_the_bound() -> None:
    cache = CapabilityCache(max_size=3)
    old = ClientCapabilities(inline_keyboard=False)

    for peer in (1, 2, 3):
        cache.remember(peer, old)
    cache.remember(1, old)
    cache.remember(4, ClientCapabilities())

    assert cache.known(2) is None
    assert [cache.known(peer) for peer in (1, 3, 4)] == [old, old, ClientCapabilities()]
    assert cache.get(2) == ClientCapabilities()
