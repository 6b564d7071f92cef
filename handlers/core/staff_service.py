"""Events from the staff chat, dispatched to the features that answer them."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from handlers.core.config import ServiceConfig
from handlers.core.events import Event
from handlers.core.features import (
    StaffCommandHandler,
    StaffFeature,
    StaffMessageHandler,
    StaffPressHandler,
)
from handlers.core.i18n import Catalog
from handlers.core.messenger import DeliveryError, Messenger
from handlers.core.payloads import parse
from handlers.core.ports import StaffProfiles
from handlers.core.registry import claim
from handlers.core.replies import Reply
from handlers.core.staff_access import staff_member
from handlers.core.staff_chat import StaffChat, answering, event_key, is_note
from storage.models import Platform, StaffMember

log = logging.getLogger(__name__)


class StaffService:
    """Handles every event from the configured staff chat.

    Only configured staff and the chat's admins may act; anyone else's messages are ignored
    and their presses acknowledged without effect. Presses go to the feature owning the
    payload's action, commands to the feature owning the command (an unknown one gets the
    desk's help), and other messages to the features that take staff messages, in order,
    until one takes it; chatter no feature takes is left alone.
    """

    def __init__(
        self,
        *,
        chat: StaffChat,
        profiles: StaffProfiles,
        catalog: Catalog,
        messengers: Mapping[Platform, Messenger],
        config: ServiceConfig,
        features: Sequence[StaffFeature],
    ) -> None:
        self._chat = chat
        self._profiles = profiles
        self._t = catalog.translator(catalog.default)
        self._messengers = messengers
        self._config = config
        self._commands: dict[str, StaffCommandHandler] = {}
        self._actions: dict[str, StaffPressHandler] = {}
        self._messages: list[StaffMessageHandler] = []
        for feature in features:
            for name, command in feature.commands.items():
                claim(self._commands, name, command, "staff command")
            for action, press in feature.actions.items():
                claim(self._actions, action, press, "staff payload action")
            if feature.messages is not None:
                self._messages.append(feature.messages)

    async def handle(self, event: Event) -> None:
        """Act on one staff-chat event. Events from other chats are not this service's and
        are ignored. Never raises: a failure is logged."""
        chat = self._config.staff_chat
        messenger = self._messengers.get(event.platform)
        if chat is None or event.address != chat or messenger is None:
            return
        try:
            staff = await staff_member(event, self._config, messenger)
            if staff is None:
                await self._acknowledge(messenger, event, None)
                return
            # Remembered so that a colleague can pick them by the name they use here.
            await self._profiles.remember(staff)
            if event.is_button:
                notice = await self._press(event, staff)
                await self._acknowledge(messenger, event, notice)
            elif event.command and not is_note(event.text, self._config.tickets.note_prefix):
                await self._on_command(event, staff)
            else:
                for on_message in self._messages:
                    if await on_message(event, staff):
                        break
        except Exception:
            log.exception("staff event failed in %s", event.address)
            await self._acknowledge(messenger, event, None)

    async def _press(self, event: Event, staff: StaffMember) -> str:
        payload = parse(event.payload)
        handler = None if payload is None else self._actions.get(payload.action)
        if payload is None or handler is None:
            return self._t("desk-stale-button")
        return await handler(event, staff, payload)

    async def _on_command(self, event: Event, staff: StaffMember) -> None:
        handler = self._commands.get(event.command or "")
        if handler is None:
            texts = [self._t("desk-help", prefix=self._config.tickets.note_prefix)]
        else:
            parts = (event.text or "").split(maxsplit=1)
            argument = parts[1].strip() if len(parts) > 1 else ""
            texts = await handler(event, staff, argument)
        replies = [answering(Reply(text), event.thread_id, event.message_id) for text in texts]
        await self._chat.post_all(f"staffchat:{event_key(event)}", replies)

    @staticmethod
    async def _acknowledge(messenger: Messenger, event: Event, notice: str | None) -> None:
        if event.callback_id is None:
            return
        try:
            await messenger.acknowledge(event, notice)
        except DeliveryError as error:
            log.info("could not acknowledge a staff press: %s", type(error).__name__)
