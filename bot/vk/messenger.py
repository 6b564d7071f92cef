"""The VK side of the neutral ``Messenger`` port."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.vk.admins import ChatAdmins
from bot.vk.api import VkApi
from bot.vk.capabilities import CapabilityCache, ClientCapabilities
from bot.vk.errors import delivery_errors, error_for_code
from bot.vk.files import attachment_string, fetch
from bot.vk.keyboard import render_buttons
from bot.vk.random_ids import random_id_for
from bot.vk.split import MAX_MESSAGE_LENGTH, split_text
from bot.vk.updates import CHAT_PEER_BASE
from handlers.core.events import Attachment, Event
from handlers.core.messenger import DeliveryError, PermanentError
from handlers.core.replies import Reply
from storage.models import Address, Platform, StaffMember

logger = logging.getLogger(__name__)

MAX_PEERS_PER_CALL = 100
MAX_ATTACHMENTS_PER_MESSAGE = 10
MAX_NOTICE_LENGTH = 90

Outcome = int | DeliveryError
"""Per peer: the conversation message id sent, or why that peer got nothing."""


@dataclass(frozen=True, slots=True)
class _Part:
    text: str
    keyboard: str | None
    attachments: tuple[str, ...]


class VkMessenger:
    """Sends, edits and acknowledges on VK for the neutral core.

    Message ids are VK's ``conversation_message_id``: ``send`` returns one, ``edit`` takes one
    (with the peer), and incoming events carry one in ``Event.message_id``. They are what VK
    gives for a callback press, and they work in group chats, where a community bot's global
    message ids do not.

    A reply longer than 4096 characters goes as several messages; the buttons (or their
    numbered fallback) and the files ride on the last one. Buttons become an inline keyboard
    when the reader's client shows one (see ``CapabilityCache``) and they fit VK's limits.

    ``Reply.reply_to`` (a conversation message id) makes the first part a reply through
    ``forward`` with ``is_reply``: ``messages.send``'s own ``reply_to`` wants a global message
    id, which a community bot does not get for chat messages. VK chats have no topics, so
    ``Reply.thread_id`` is ignored.
    """

    platform: Platform = Platform.VK

    def __init__(
        self,
        api: VkApi,
        capabilities: CapabilityCache | None = None,
        *,
        admin_cache_ttl: float = 300.0,
    ) -> None:
        self.api = api
        self.capabilities = capabilities or CapabilityCache()
        self._admins = ChatAdmins(api, ttl=admin_cache_ttl)

    async def send(self, to: Address, reply: Reply, *, idempotency_key: str | None = None) -> int:
        """Send ``reply`` to one peer and return the last message's conversation message id.

        With ``idempotency_key`` every part gets a ``random_id`` derived from it, so resending
        the same key delivers nothing new.
        """
        outcomes = await self._deliver(
            [to.peer_id], reply, idempotency_key, upload_peer=to.peer_id, reply_to=reply.reply_to
        )
        outcome = outcomes[to.peer_id]
        if isinstance(outcome, DeliveryError):
            raise outcome
        return outcome

    async def send_many(
        self, peer_ids: Sequence[int], reply: Reply, key: str | None = None
    ) -> dict[int, Outcome]:
        """Send one reply to many peers in ``peer_ids`` batches of up to 100.

        Returns each peer's outcome; a peer VK refused (for example error 901) maps to its
        ``DeliveryError`` and gets no further parts. An error of a whole call raises: with a
        ``key`` the retry is safe, since peers already served are deduplicated by VK.
        """
        return await self._deliver(list(dict.fromkeys(peer_ids)), reply, key, upload_peer=None)

    async def edit(self, to: Address, message_id: int, reply: Reply) -> None:
        """Replace the text, buttons and files of the message with conversation message id
        ``message_id``. VK drops what the edit does not repeat, so a reply without buttons
        takes the keyboard off. Text past 4096 characters is cut."""
        capabilities = self.capabilities.get(to.peer_id)
        rendered = render_buttons(reply.buttons, capabilities)
        text = _join(reply.text, rendered.fallback)
        if len(text) > MAX_MESSAGE_LENGTH:
            text = text[: MAX_MESSAGE_LENGTH - 1] + "…"
        params: dict[str, Any] = {
            "peer_id": to.peer_id,
            "conversation_message_id": message_id,
            "message": text,
        }
        if rendered.keyboard is not None:
            params["keyboard"] = rendered.keyboard
        attachments = await self._upload(reply.attachments, to.peer_id)
        if attachments:
            params["attachment"] = ",".join(attachments[:MAX_ATTACHMENTS_PER_MESSAGE])
        with delivery_errors():
            await self.api.call("messages.edit", **params)

    async def acknowledge(self, event: Event, notice: str | None = None) -> None:
        """Answer a callback button press, with a snackbar when ``notice`` is given.

        Presses that arrived as messages (text buttons, numbered replies) need no answer. A
        press VK no longer takes an answer for is logged and ignored.
        """
        if event.callback_id is None:
            return
        params: dict[str, Any] = {
            "event_id": event.callback_id,
            "user_id": event.sender_id,
            "peer_id": event.address.peer_id,
        }
        if notice:
            params["event_data"] = json.dumps(
                {"type": "show_snackbar", "text": notice[:MAX_NOTICE_LENGTH]}, ensure_ascii=False
            )
        try:
            with delivery_errors():
                await self.api.call("messages.sendMessageEventAnswer", **params)
        except PermanentError as error:
            logger.debug("Button press %s could not be answered: %s", event.callback_id, error)

    async def download(self, attachment: Attachment) -> bytes:
        """Fetch a file a reader sent on VK (its ``ref`` is the file's URL)."""
        if attachment.platform is not Platform.VK or not attachment.ref:
            raise PermanentError("not a VK file")
        return await fetch(self.api, attachment.ref)

    async def create_topic(self, chat: Address, title: str) -> int | None:
        """Always None: VK chats have no topics, so ticket threads live in the chat itself."""
        return None

    async def reopen_topic(self, chat: Address, topic_id: int) -> None:
        """Nothing to do: VK chats have no topics."""

    async def rename_topic(self, chat: Address, topic_id: int, title: str) -> None:
        """Nothing to do: VK chats have no topics."""

    async def delete(self, to: Address, message_id: int) -> None:
        """Delete for everyone the message with conversation message id ``message_id`` (VK
        allows it for 24 hours)."""
        with delivery_errors():
            await self.api.call(
                "messages.delete", peer_id=to.peer_id, cmids=str(message_id), delete_for_all=1
            )

    async def is_chat_admin(self, chat: Address, user_id: int) -> bool:
        """Whether the user is an admin or the owner of the VK chat ``chat``.

        The community must itself be an admin of the chat for VK to answer; when VK refuses,
        the answer is False (and logged). Answers are cached for ``admin_cache_ttl`` seconds.
        """
        if chat.peer_id < CHAT_PEER_BASE:
            return False
        return await self._admins.is_admin(chat.peer_id, user_id)

    async def chat_admins(self, chat: Address) -> list[StaffMember]:
        """The chat's admins and owner (people, not communities), named from VK's profiles.
        Cached like :meth:`is_chat_admin`; raises ``DeliveryError`` when VK refuses."""
        if chat.peer_id < CHAT_PEER_BASE:
            return []
        people = await self._admins.people(chat.peer_id)
        return [
            StaffMember(Platform.VK, user_id, name or str(user_id))
            for user_id, name in people.items()
        ]

    async def _deliver(
        self,
        peer_ids: list[int],
        reply: Reply,
        key: str | None,
        *,
        upload_peer: int | None,
        reply_to: int | None = None,
    ) -> dict[int, Outcome]:
        attachments = await self._upload(reply.attachments, upload_peer)
        outcomes: dict[int, Outcome] = {}
        by_capability: dict[ClientCapabilities, list[int]] = {}
        for peer in peer_ids:
            capabilities = self.capabilities.get(peer)
            by_capability.setdefault(_rendering_only(capabilities), []).append(peer)
        for capabilities, peers in by_capability.items():
            parts = _parts(reply, capabilities, attachments)
            for start in range(0, len(peers), MAX_PEERS_PER_CALL):
                batch = peers[start : start + MAX_PEERS_PER_CALL]
                forward = _reply_forward(batch, reply_to)
                outcomes.update(await self._send_parts(batch, parts, key, forward))
        return outcomes

    async def _send_parts(
        self, peers: list[int], parts: list[_Part], key: str | None, forward: str | None
    ) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        pending = list(peers)
        for index, part in enumerate(parts):
            if not pending:
                break
            params: dict[str, Any] = {
                "peer_ids": ",".join(map(str, pending)),
                "random_id": random_id_for(key, index),
                "message": part.text,
            }
            if part.keyboard is not None:
                params["keyboard"] = part.keyboard
            if part.attachments:
                params["attachment"] = ",".join(part.attachments)
            if forward is not None and index == 0:
                params["forward"] = forward
            with delivery_errors():
                items = await self.api.call("messages.send", **params)
            outcomes.update(_outcomes(items))
            pending = [peer for peer in pending if isinstance(outcomes.get(peer), int)]
        for peer in peers:
            outcomes.setdefault(peer, PermanentError("VK gave no result for this peer"))
        return outcomes

    async def _upload(self, attachments: Sequence[Attachment], peer_id: int | None) -> list[str]:
        return [await attachment_string(self.api, item, peer_id) for item in attachments]


def _reply_forward(peers: list[int], reply_to: int | None) -> str | None:
    # A conversation message id only means something in its own conversation.
    if reply_to is None or len(peers) != 1:
        return None
    return json.dumps(
        {"peer_id": peers[0], "conversation_message_ids": [reply_to], "is_reply": 1},
        separators=(",", ":"),
    )


def _rendering_only(capabilities: ClientCapabilities) -> ClientCapabilities:
    return ClientCapabilities(capabilities.inline_keyboard, capabilities.callback_buttons)


def _join(text: str, fallback: str) -> str:
    if not fallback:
        return text
    return f"{text}\n\n{fallback}" if text else fallback


def _parts(reply: Reply, capabilities: ClientCapabilities, attachments: list[str]) -> list[_Part]:
    rendered = render_buttons(reply.buttons, capabilities)
    texts = split_text(_join(reply.text, rendered.fallback))
    chunks = [
        tuple(attachments[i : i + MAX_ATTACHMENTS_PER_MESSAGE])
        for i in range(0, len(attachments), MAX_ATTACHMENTS_PER_MESSAGE)
    ] or [()]
    parts = [_Part(text, None, ()) for text in texts[:-1]]
    parts.append(_Part(texts[-1], None, chunks[0]))
    parts.extend(_Part("", None, chunk) for chunk in chunks[1:])
    last = parts[-1]
    parts[-1] = _Part(last.text, rendered.keyboard, last.attachments)
    return parts


def _outcomes(items: Any) -> dict[int, Outcome]:
    if not isinstance(items, list):
        raise PermanentError(f"unexpected messages.send answer: {type(items).__name__}")
    outcomes: dict[int, Outcome] = {}
    for item in items:
        peer = int(item["peer_id"])
        error: dict[str, Any] | None = item.get("error")
        if isinstance(error, dict):
            code = int(error.get("code") or error.get("error_code") or 0)
            message = str(error.get("description") or error.get("error_msg") or "")
            outcomes[peer] = error_for_code(code, message)
        else:
            message_id = item.get("conversation_message_id") or item.get("message_id") or 0
            outcomes[peer] = int(message_id)
    return outcomes
