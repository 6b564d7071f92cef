"""VK updates (Bots Long Poll and Callback API share one format) as neutral ``Event``s.

Handled: ``message_new`` and ``message_event`` (a callback button press). Every other update
type converts to None.

The "Начать" (Start) button VK shows in a new conversation sends ``{"command":"start"}`` as
its payload. It converts to the text ``/start`` with no payload, the same event Telegram's
Start button produces, so the core answers both through its ``start`` command.

Replies: ``Event.reply_to_message_id`` is the ``conversation_message_id`` of the message
replied to, from ``reply_message``. Many VK clients (older apps, the mobile web) "reply" in a
chat by forwarding the message instead; a message that forwards exactly one message of the
same conversation counts as a reply to it too. Several forwarded messages, or one from another
conversation, are a forward, not a reply. VK chats have no topics: ``thread_id`` stays None.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.vk.capabilities import CapabilityCache, ClientCapabilities
from bot.vk.keyboard import decode_payload
from bot.vk.names import NameResolver
from handlers.core.events import Attachment, AttachmentKind, Event
from storage.models import Address, Platform

CHAT_PEER_BASE = 2_000_000_000
START_TEXT = "/start"


class UpdateConverter:
    """Turns update dicts into Events, learning each reader's client capabilities on the way."""

    def __init__(self, names: NameResolver, capabilities: CapabilityCache) -> None:
        self.names = names
        self.capabilities = capabilities

    async def convert(self, update: Mapping[str, Any]) -> Event | None:
        kind = update.get("type")
        body = update.get("object")
        if not isinstance(body, dict):
            return None
        if kind == "message_new":
            return await self._message(body)
        if kind == "message_event":
            return await self._button_press(body)
        return None

    async def _message(self, body: Mapping[str, Any]) -> Event | None:
        message = body.get("message")
        if not isinstance(message, dict):
            return None
        peer_id = int(message["peer_id"])
        sender = int(message.get("from_id", peer_id))
        if sender < 0:
            return None
        capabilities = ClientCapabilities.from_client_info(body.get("client_info"))
        self.capabilities.remember(peer_id, capabilities)

        text: str | None = message.get("text") or None
        raw_payload = message.get("payload")
        payload = decode_payload(raw_payload)
        if payload is None and _is_start(raw_payload):
            text = START_TEXT
        return Event(
            address=Address(Platform.VK, peer_id),
            sender_id=sender,
            display_name=await self.names.name(sender),
            language_code=capabilities.language,
            text=text,
            payload=payload,
            attachments=tuple(_attachment(item) for item in message.get("attachments") or []),
            message_id=message.get("conversation_message_id"),
            is_private=peer_id < CHAT_PEER_BASE,
            buttons_supported=capabilities.inline_keyboard,
            reply_to_message_id=_reply_to(message, peer_id),
            replied_attachments=_replied_attachments(message),
        )

    async def _button_press(self, body: Mapping[str, Any]) -> Event:
        peer_id = int(body["peer_id"])
        user_id = int(body["user_id"])
        capabilities = self.capabilities.get(peer_id)
        return Event(
            address=Address(Platform.VK, peer_id),
            sender_id=user_id,
            display_name=await self.names.name(user_id),
            language_code=capabilities.language,
            payload=decode_payload(body.get("payload")) or "",
            message_id=body.get("conversation_message_id"),
            callback_id=str(body["event_id"]),
            is_private=peer_id < CHAT_PEER_BASE,
            buttons_supported=True,
        )


def _reply_to(message: Mapping[str, Any], peer_id: int) -> int | None:
    replied = message.get("reply_message")
    if isinstance(replied, dict):
        return _conversation_message_id(replied)
    forwarded = message.get("fwd_messages")
    if isinstance(forwarded, list) and len(forwarded) == 1 and isinstance(forwarded[0], dict):
        only = forwarded[0]
        # A conversation message id means nothing outside its own conversation.
        if only.get("peer_id") == peer_id:
            return _conversation_message_id(only)
    return None


def _replied_attachments(message: Mapping[str, Any]) -> tuple[Attachment, ...]:
    replied = message.get("reply_message")
    if not isinstance(replied, dict):
        return ()
    return tuple(_attachment(item) for item in replied.get("attachments") or [])


def _conversation_message_id(message: Mapping[str, Any]) -> int | None:
    value = message.get("conversation_message_id")
    return value if isinstance(value, int) and value > 0 else None


def _is_start(raw: Any) -> bool:
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            return False
    return isinstance(value, dict) and value.get("command") == "start"


def _attachment(item: Mapping[str, Any]) -> Attachment:
    kind = item.get("type")
    body = item.get(str(kind))
    if kind == "photo" and isinstance(body, dict):
        return Attachment(
            kind=AttachmentKind.PHOTO,
            platform=Platform.VK,
            ref=_largest_photo_url(body),
            mime_type="image/jpeg",
        )
    if kind == "doc" and isinstance(body, dict):
        title = str(body.get("title") or "")
        ext = str(body.get("ext") or "")
        name = title if not ext or title.lower().endswith(f".{ext.lower()}") else f"{title}.{ext}"
        size = body.get("size")
        return Attachment(
            kind=AttachmentKind.DOCUMENT,
            platform=Platform.VK,
            ref=body.get("url"),
            file_name=name or None,
            size=size if isinstance(size, int) else None,
        )
    return Attachment(kind=AttachmentKind.UNSUPPORTED, platform=Platform.VK)


def _largest_photo_url(photo: Mapping[str, Any]) -> str | None:
    sizes = [
        size for size in photo.get("sizes") or [] if isinstance(size, dict) and size.get("url")
    ]
    if not sizes:
        return None
    # Old photos report zero sizes; VK lists sizes smallest first, so the later one wins ties.
    _, _, url = max(
        (int(size.get("width", 0)) * int(size.get("height", 0)), index, str(size["url"]))
        for index, size in enumerate(sizes)
    )
    return url
