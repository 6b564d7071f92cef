"""Who counts as staff in the staff chat."""

from __future__ import annotations

import logging

from handlers.core.config import ServiceConfig
from handlers.core.events import Event
from handlers.core.messenger import DeliveryError, Messenger
from storage.models import StaffMember

log = logging.getLogger(__name__)


async def staff_member(
    event: Event, config: ServiceConfig, messenger: Messenger
) -> StaffMember | None:
    """The person behind ``event`` as a staff member, or None if they may not act.

    Configured staff always may; otherwise the chat's admins may. A failed admin check counts
    as "no": it is safer to ignore a colleague once than to let a stranger act.
    """
    member = StaffMember(
        platform=event.platform,
        user_id=event.sender_id,
        name=event.display_name.strip() or str(event.sender_id),
    )
    if (event.platform, event.sender_id) in config.staff_members:
        return member
    try:
        is_admin = await messenger.is_chat_admin(event.address, event.sender_id)
    except DeliveryError as error:
        log.warning("admin check failed in the staff chat: %s", error)
        return None
    return member if is_admin else None
