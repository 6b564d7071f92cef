"""Who administers a Telegram group: ``getChatMember``, remembered for a few minutes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiogram import Bot
from aiogram.enums import ChatMemberStatus

from bot.telegram.errors import neutral_errors
from handlers.core.messenger import DeliveryError

logger = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR})
DEFAULT_TTL = 300.0


class ChatAdmins:
    """Answers "is this user an admin of this chat?" with one ``getChatMember`` per pair and
    ``ttl`` seconds.

    Staff press buttons and write in bursts, and every press asks; the cache keeps that from
    costing a Bot API call each time. A demoted admin keeps their rights for at most ``ttl``.
    A failed call answers False and is not remembered, so the next question asks again.
    """

    def __init__(
        self,
        bot: Bot,
        *,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bot = bot
        self._ttl = ttl
        self._clock = clock
        self._known: dict[tuple[int, int], tuple[bool, float]] = {}

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        key = (chat_id, user_id)
        now = self._clock()
        known = self._known.get(key)
        if known is not None and known[1] > now:
            return known[0]
        try:
            with neutral_errors():
                member = await self._bot.get_chat_member(chat_id, user_id)
        except DeliveryError as error:
            logger.warning("Could not check the admins of chat %s: %s", chat_id, error)
            return False
        answer = member.status in ADMIN_STATUSES
        self._known[key] = (answer, now + self._ttl)
        return answer

    async def people(self, chat_id: int) -> list[tuple[int, str]]:
        """The chat's human admins as ``(user id, full name)``, asked anew each time (staff
        ask this only to pick a colleague). Raises ``DeliveryError`` when Telegram refuses."""
        with neutral_errors():
            members = await self._bot.get_chat_administrators(chat_id)
        expires = self._clock() + self._ttl
        people: list[tuple[int, str]] = []
        for member in members:
            if member.user.is_bot:
                continue
            self._known[(chat_id, member.user.id)] = (True, expires)
            people.append((member.user.id, member.user.full_name))
        return people
