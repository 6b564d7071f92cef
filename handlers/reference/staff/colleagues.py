"""Who a ticket can be handed to: the staff of the staff chat, with their names."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from handlers.core.config import ServiceConfig
from handlers.core.messenger import DeliveryError, Messenger
from handlers.core.numbers import typed_number
from handlers.core.ports import StaffProfiles
from storage.models import Platform, StaffMember

log = logging.getLogger(__name__)


class Colleagues:
    """The staff of the staff chat: the configured staff of its platform and the chat's
    admins, the same people :func:`handlers.core.staff_access.staff_member` lets act.

    Names come from the platform's admin list, else from the name a colleague last acted
    under, else their id. Someone who acted once but is neither configured nor an admin now
    is no longer staff and is left out.
    """

    def __init__(
        self,
        *,
        config: ServiceConfig,
        profiles: StaffProfiles,
        messengers: Mapping[Platform, Messenger],
    ) -> None:
        self._config = config
        self._profiles = profiles
        self._messengers = messengers

    async def all(self) -> list[StaffMember]:
        """Everyone who is staff now, by name."""
        chat = self._config.staff_chat
        messenger = self._messengers.get(chat.platform) if chat else None
        if chat is None or messenger is None:
            return []
        seen = {member.user_id: member for member in await self._profiles.known(chat.platform)}
        found: dict[int, StaffMember] = {}
        try:
            for admin in await messenger.chat_admins(chat):
                known = seen.get(admin.user_id)
                found[admin.user_id] = admin if admin.name or known is None else known
        except DeliveryError as error:
            log.warning("could not list the staff chat's admins: %s", error)
        for platform, user_id in sorted(self._config.staff_members):
            if platform is chat.platform and user_id not in found:
                found[user_id] = seen.get(user_id) or StaffMember(platform, user_id, str(user_id))
        return sorted(found.values(), key=lambda member: (member.name.casefold(), member.user_id))

    async def by_id(self, user_id: int) -> StaffMember | None:
        """The colleague with this id, if they are staff now."""
        return next((member for member in await self.all() if member.user_id == user_id), None)


def matching(colleagues: list[StaffMember], query: str) -> list[StaffMember]:
    """The colleagues ``query`` names: an id, or words that start words of a name
    («мар ив» finds «Мария Иванова»); a leading ``@`` is ignored."""
    wanted = query.strip().removeprefix("@").strip()
    if wanted.isdigit():
        number = typed_number(wanted)
        return [member for member in colleagues if member.user_id == number]
    words = wanted.casefold().split()
    if not words:
        return []
    exact = [member for member in colleagues if member.name.casefold() == " ".join(words)]
    if exact:
        return exact
    return [
        member
        for member in colleagues
        if all(
            any(part.startswith(word) for part in member.name.casefold().split()) for word in words
        )
    ]
