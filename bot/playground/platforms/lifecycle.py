"""The `async with` shape every fake server shares: enter starts it, leaving stops it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Self


class StartsAndStops(ABC):
    """A fake that listens between `start()` and `stop()`; tests may also stop it early to
    play a server that went down."""

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
