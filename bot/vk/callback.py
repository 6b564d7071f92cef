"""The Callback API endpoint: VK POSTs each update to the bot's URL.

VK resends an update that is not answered ``ok`` in time, so the endpoint answers at once
and handles the update in a background task. Updates whose ``secret`` is wrong are refused
with 403 and never handled.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections import OrderedDict
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from bot.vk.dispatch import UpdateDispatcher

logger = logging.getLogger(__name__)


class CallbackEndpoint:
    """An aiohttp handler for VK's Callback API.

    Mount it with ``endpoint.add_to(app, "/vk/callback")`` (several stateless workers can
    sit behind a load balancer; nothing here needs to be shared) and ``await
    endpoint.close()`` on shutdown to let running handlers finish.
    """

    def __init__(
        self,
        dispatcher: UpdateDispatcher,
        *,
        confirmation_code: str,
        secret: str | SecretStr | None,
        group_id: int | None = None,
        remember_events: int = 1_000,
    ) -> None:
        self.dispatcher = dispatcher
        self.confirmation_code = confirmation_code
        raw = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        self._secret = raw or None
        self.group_id = group_id
        self._remember = remember_events
        # VK's resends of one update within the same worker are dropped; a resend reaching
        # another worker is rare, since the first answer is immediate.
        self._seen: OrderedDict[str, None] = OrderedDict()

    def add_to(self, app: web.Application, path: str = "/vk/callback") -> None:
        app.router.add_post(path, self.handle)

    async def close(self, grace: float = 10.0) -> None:
        await self.dispatcher.drain(grace)

    async def handle(self, request: web.Request) -> web.Response:
        try:
            update: Any = await request.json(loads=json.loads)
        except ValueError:
            return web.Response(status=400, text="bad request")
        if not isinstance(update, dict):
            return web.Response(status=400, text="bad request")
        if not self._authentic(update):
            logger.warning("Refused a VK callback with a wrong secret or group")
            return web.Response(status=403, text="forbidden")
        if update.get("type") == "confirmation":
            return web.Response(text=self.confirmation_code)
        event_id = update.get("event_id")
        if isinstance(event_id, str) and self._already_seen(event_id):
            return web.Response(text="ok")
        self.dispatcher.dispatch(update)
        return web.Response(text="ok")

    def _authentic(self, update: dict[str, Any]) -> bool:
        if self.group_id is not None and update.get("group_id") != self.group_id:
            return False
        if self._secret is None:
            return True
        given = update.get("secret")
        return isinstance(given, str) and hmac.compare_digest(given.encode(), self._secret.encode())

    def _already_seen(self, event_id: str) -> bool:
        if event_id in self._seen:
            return True
        self._seen[event_id] = None
        while len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        return False
