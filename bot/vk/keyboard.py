"""Neutral buttons as a VK inline keyboard, or as numbered lines where a keyboard cannot go.

The numbered lines follow ``Reply.flat_buttons()`` order exactly: the neutral core maps a
reader's digit back to a payload by that position.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.vk.capabilities import ClientCapabilities
from handlers.core.replies import Button

MAX_BUTTONS_PER_ROW = 5
MAX_INLINE_ROWS = 6
MAX_INLINE_BUTTONS = 10
MAX_LABEL = 40
MAX_PAYLOAD_BYTES = 255

CLEAR_INLINE_KEYBOARD = json.dumps({"inline": True, "buttons": []})
"""What ``messages.edit`` gets to take the buttons off a message."""


@dataclass(frozen=True, slots=True)
class RenderedButtons:
    """``keyboard`` is the JSON for ``messages.send``; ``fallback`` is text to append instead
    (empty when the keyboard carries the buttons)."""

    keyboard: str | None = None
    fallback: str = ""


def encode_payload(payload: str) -> str:
    """The button payload VK carries: ``{"p": payload}`` as compact JSON."""
    return json.dumps({"p": payload}, ensure_ascii=False, separators=(",", ":"))


def decode_payload(raw: Any) -> str | None:
    """The neutral payload from a VK payload (a JSON string in ``message_new``, an object in
    ``message_event``), or None when the payload is not one of ours."""
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            return None
    if isinstance(value, dict) and isinstance(value.get("p"), str):
        return str(value["p"])
    return None


def truncate_label(label: str) -> str:
    label = " ".join(label.split())
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def numbered_fallback(buttons: Sequence[Button]) -> str:
    """``1. Label`` lines, one per button, in the given order."""
    return "\n".join(f"{index}. {button.text}" for index, button in enumerate(buttons, 1))


def render_buttons(
    rows: Sequence[Sequence[Button]], capabilities: ClientCapabilities
) -> RenderedButtons:
    """An inline keyboard when the client shows one and the buttons fit VK's limits; the
    numbered fallback otherwise. Rows wider than VK allows are wrapped, order kept."""
    flat = [button for row in rows for button in row]
    if not flat:
        return RenderedButtons()
    keyboard = _inline_keyboard(rows, capabilities) if capabilities.inline_keyboard else None
    if keyboard is None:
        return RenderedButtons(fallback=numbered_fallback(flat))
    return RenderedButtons(keyboard=keyboard)


def _inline_keyboard(
    rows: Sequence[Sequence[Button]], capabilities: ClientCapabilities
) -> str | None:
    wrapped = [
        list(row[start : start + MAX_BUTTONS_PER_ROW])
        for row in rows
        if row
        for start in range(0, len(row), MAX_BUTTONS_PER_ROW)
    ]
    if len(wrapped) > MAX_INLINE_ROWS or sum(map(len, wrapped)) > MAX_INLINE_BUTTONS:
        return None
    kind = "callback" if capabilities.callback_buttons else "text"
    layout: list[list[dict[str, Any]]] = []
    for row in wrapped:
        layout_row = []
        for button in row:
            payload = encode_payload(button.payload)
            label = truncate_label(button.text)
            if len(payload.encode()) > MAX_PAYLOAD_BYTES or not label:
                return None
            layout_row.append(
                {
                    "action": {"type": kind, "label": label, "payload": payload},
                    "color": "secondary",
                }
            )
        layout.append(layout_row)
    return json.dumps({"inline": True, "buttons": layout}, ensure_ascii=False)
