"""The loans feature's button payloads: ``ln:<what>[:<arguments>]``, and its menu entry."""

from __future__ import annotations

from handlers.core.menu import menu_payload
from handlers.core.payloads import pack

LOANS_ITEM = "loans"
ACTION = "ln"

LOANS_MENU = menu_payload(LOANS_ITEM)
LINK = pack(ACTION, "link")
UNLINK = pack(ACTION, "unlink")
UNLINK_YES = pack(ACTION, "unlinkyes")
ASK = pack(ACTION, "ask")
