"""Readers' display names from ``users.get``, cached in process."""

from __future__ import annotations

import logging
from collections import OrderedDict

from bot.vk.api import VkApi

logger = logging.getLogger(__name__)


class NameResolver:
    """Looks a VK user's name up once and remembers it (a bounded cache: names change rarely
    and a stale one only shows in a staff view)."""

    def __init__(self, api: VkApi, max_size: int = 50_000) -> None:
        self.api = api
        self._max_size = max_size
        self._names: OrderedDict[int, str] = OrderedDict()

    async def name(self, user_id: int) -> str:
        """``First Last`` for a user, or an empty string for communities and failed look-ups."""
        if user_id <= 0:
            return ""
        cached = self._names.get(user_id)
        if cached is not None:
            self._names.move_to_end(user_id)
            return cached
        try:
            users = await self.api.call("users.get", user_ids=user_id)
        except Exception as error:  # a missing name must never stop an event
            logger.warning("users.get failed for a sender: %s", type(error).__name__)
            return ""
        name = ""
        if isinstance(users, list) and users and isinstance(users[0], dict):
            user = users[0]
            name = " ".join(
                part for part in (user.get("first_name"), user.get("last_name")) if part
            ).strip()
        self._names[user_id] = name
        while len(self._names) > self._max_size:
            self._names.popitem(last=False)
        return name
