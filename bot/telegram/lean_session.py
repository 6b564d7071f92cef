"""aiogram's aiohttp session, parsing the answers to sent texts only as far as the bot reads
them."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import Response, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Message
from pydantic import ValidationError

_KEPT = (
    "message_id",
    "date",
    "chat",
    "message_thread_id",
    "is_topic_message",
    "reply_to_message",
)
"""What a sent text's ``Message`` keeps: its id (the outbox and edits need it), and where it
went (the chat, and in a forum its topic and the message it answers; absent in a reader's
private chat, so they cost nothing there)."""


class LeanAiohttpSession(AiohttpSession):
    """For a successful ``sendMessage``, the ``Message`` returned holds only the fields in
    ``_KEPT``, validated as aiogram would; the rest (the text, its entities, the keyboard,
    the sender) is left unset.

    Telegram echoes the whole message back, keyboard included, and aiogram validates every
    nested object of it, each a pydantic model with private attributes to set up: the
    largest share of a reader's answer's cost in this process (the ingest benchmark's
    profile), for fields nothing here reads. Every other method, and every answer that is
    not a success, is checked by aiogram itself, so its errors (retry after, migrated chat,
    bad request…) are raised exactly as before.
    """

    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        if type(method) is SendMessage and HTTPStatus.OK <= status_code <= HTTPStatus.IM_USED:
            sent = self._sent_text(bot, content)
            if sent is not None:
                return Response[Message].model_construct(ok=True, result=sent)  # type: ignore[return-value]
        return super().check_response(bot, method, status_code, content)

    def _sent_text(self, bot: Bot, content: str) -> Message | None:
        """The kept part of a successful answer, or None to leave the answer to aiogram."""
        try:
            answer: Any = self.json_loads(content)
        except ValueError:
            return None
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            return None
        result = answer.get("result")
        if not isinstance(result, dict):
            return None
        kept = {name: result[name] for name in _KEPT if name in result}
        try:
            return Message.model_validate(kept, context={"bot": bot})
        except ValidationError:
            return None
