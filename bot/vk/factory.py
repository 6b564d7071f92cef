"""The VK adapter's parts wired together, for the composition root and for tests."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from pydantic import SecretStr

from bot.ratelimit import Limiter
from bot.vk.api import DEFAULT_API_BASE, DEFAULT_API_VERSION, RetryPolicy, VkApi
from bot.vk.callback import CallbackEndpoint
from bot.vk.capabilities import CapabilityCache
from bot.vk.dispatch import EventHandler, UpdateDispatcher
from bot.vk.longpoll import LongPollRunner
from bot.vk.messenger import VkMessenger
from bot.vk.names import NameResolver
from bot.vk.progress import CursorStore
from bot.vk.updates import UpdateConverter


@dataclass(slots=True)
class VkAdapter:
    """One community token's API, messenger and update conversion, sharing one capability
    cache so that what a reader's client can show is known when replying to them."""

    api: VkApi
    messenger: VkMessenger
    converter: UpdateConverter

    @classmethod
    def create(
        cls,
        token: str | SecretStr,
        *,
        base_url: str = DEFAULT_API_BASE,
        version: str = DEFAULT_API_VERSION,
        limiter: Limiter | None = None,
        retry: RetryPolicy | None = None,
    ) -> VkAdapter:
        """``limiter`` must be this token's own: every call made with the token counts."""
        api = VkApi(token, base_url=base_url, version=version, limiter=limiter, retry=retry)
        capabilities = CapabilityCache()
        return cls(
            api=api,
            messenger=VkMessenger(api, capabilities),
            converter=UpdateConverter(NameResolver(api), capabilities),
        )

    def long_poll(
        self,
        handler: EventHandler,
        *,
        group_id: int | None,
        cursors: CursorStore | None = None,
        wait: int = 25,
    ) -> LongPollRunner:
        """``cursors`` keeps the position across restarts (without it a restart starts at the
        server's current ``ts`` and never reads what arrived while the bot was down)."""
        return LongPollRunner(
            self.api,
            UpdateDispatcher(self.converter, handler),
            group_id=group_id,
            cursors=cursors,
            wait=wait,
        )

    def callback(
        self,
        handler: EventHandler,
        *,
        confirmation_code: str,
        secret: str | SecretStr | None,
        group_id: int | None = None,
    ) -> CallbackEndpoint:
        return CallbackEndpoint(
            UpdateDispatcher(self.converter, handler),
            confirmation_code=confirmation_code,
            secret=secret,
            group_id=group_id,
        )

    async def close(self) -> None:
        await self.api.close()

    async def __aenter__(self) -> VkAdapter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
