"""Who administers a VK chat: ``messages.getConversationMembers``, remembered briefly."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from bot.vk.api import VkApi
from bot.vk.errors import delivery_errors
from handlers.core.messenger import DeliveryError

logger = logging.getLogger(__name__)

DEFAULT_TTL = 300.0
PAGE_SIZE = 200


class ChatAdmins:
    """Answers "is this user an admin (or the owner) of this chat?".

    One call lists a chat's members with their roles, so the cache holds each chat's set of
    admins for ``ttl`` seconds: a burst of staff presses costs one call. VK answers this
    method only when the community is an admin of the chat (otherwise error 917); then, and on
    any other failure, the answer is False, logged, and not remembered.
    """

    def __init__(
        self,
        api: VkApi,
        *,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._ttl = ttl
        self._clock = clock
        self._known: dict[int, tuple[dict[int, str], float]] = {}

    async def is_admin(self, peer_id: int, user_id: int) -> bool:
        try:
            admins = await self.people(peer_id)
        except DeliveryError as error:
            logger.warning("Could not list the admins of VK chat %s: %s", peer_id, error)
            return False
        return user_id in admins

    async def people(self, peer_id: int) -> dict[int, str]:
        """The chat's admins and owner (people only), by id, with their names. Raises
        ``DeliveryError`` when VK will not tell; a failure is not remembered."""
        now = self._clock()
        known = self._known.get(peer_id)
        if known is None or known[1] <= now:
            known = (await self._fetch(peer_id), now + self._ttl)
            self._known[peer_id] = known
        return known[0]

    async def _fetch(self, peer_id: int) -> dict[int, str]:
        admins: set[int] = set()
        names: dict[int, str] = {}
        offset = 0
        while True:
            with delivery_errors():
                page = await self._api.call(
                    "messages.getConversationMembers",
                    peer_id=peer_id,
                    offset=offset,
                    count=PAGE_SIZE,
                )
            if not isinstance(page, dict):
                break
            items: list[Any] = page.get("items") or []
            admins.update(
                int(item["member_id"])
                for item in items
                if isinstance(item, dict) and (item.get("is_admin") or item.get("is_owner"))
            )
            names.update(_names(page.get("profiles")))
            offset += len(items)
            total = page.get("count")
            if not items or not isinstance(total, int) or offset >= total:
                break
        return {user_id: names.get(user_id, "") for user_id in admins if user_id > 0}


def _names(profiles: Any) -> dict[int, str]:
    if not isinstance(profiles, list):
        return {}
    return {
        int(profile["id"]): " ".join(
            str(part) for part in (profile.get("first_name"), profile.get("last_name")) if part
        )
        for profile in profiles
        if isinstance(profile, dict) and isinstance(profile.get("id"), int)
    }
