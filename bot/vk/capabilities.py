"""What a reader's VK client can show, remembered from the ``client_info`` of their messages.

VK tells the bot about the client only inside an incoming ``message_new``; a send has no such
information. The adapter therefore keeps the last ``client_info`` per peer in process. It is
a cache, not state that matters: on a miss (a restart, another worker) the adapter assumes a
current client, which shows inline keyboards and callback buttons, and the first message the
reader sends corrects it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LANGUAGES: Mapping[int, str] = {
    0: "ru",
    1: "uk",
    2: "be",
    3: "en",
    4: "es",
    5: "fi",
    6: "de",
    7: "it",
}
"""VK's ``lang_id`` values and their language codes."""


@dataclass(frozen=True, slots=True)
class ClientCapabilities:
    """How buttons can reach one reader: inline at all, and as ``callback`` buttons."""

    inline_keyboard: bool = True
    callback_buttons: bool = True
    language: str | None = None

    @classmethod
    def from_client_info(cls, client_info: Mapping[str, Any] | None) -> ClientCapabilities:
        if not client_info:
            return cls()
        actions = client_info.get("button_actions") or []
        lang_id = client_info.get("lang_id")
        return cls(
            inline_keyboard=bool(client_info.get("inline_keyboard", False)),
            callback_buttons="callback" in actions,
            language=LANGUAGES.get(lang_id) if isinstance(lang_id, int) else None,
        )


class CapabilityCache:
    """The last known capabilities per peer, bounded so memory does not grow with readers."""

    def __init__(self, max_size: int = 100_000) -> None:
        self._max_size = max_size
        self._items: OrderedDict[int, ClientCapabilities] = OrderedDict()
        self._distinct: dict[ClientCapabilities, ClientCapabilities] = {}
        """One instance of each value: readers share a handful of client kinds, so each
        reader costs the map's entry, not a copy of their client's description (there are
        at most 36 values: two flags and nine languages)."""

    def remember(self, peer_id: int, capabilities: ClientCapabilities) -> None:
        capabilities = self._distinct.setdefault(capabilities, capabilities)
        self._items[peer_id] = capabilities
        self._items.move_to_end(peer_id)
        while len(self._items) > self._max_size:
            self._items.popitem(last=False)

    def get(self, peer_id: int) -> ClientCapabilities:
        """The remembered capabilities, or those of a current client when nothing is known."""
        return self._items.get(peer_id, ClientCapabilities())

    def known(self, peer_id: int) -> ClientCapabilities | None:
        return self._items.get(peer_id)
