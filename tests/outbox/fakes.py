"""Controllable clock, recording readers and a scripted messenger for the sender's tests."""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from handlers.core.events import Attachment, Event
from handlers.core.messenger import PermanentError
from handlers.core.replies import Reply
from storage.models import Address, Platform, Reader, StaffMember


class ManualClock:
    """A UTC clock that only moves when told to."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class RecordingReaders:
    """Remembers every reachability change, in order."""

    def __init__(self) -> None:
        self.reachability: list[tuple[Address, bool]] = []

    async def get(self, address: Address) -> Reader | None:
        """Unknown to these tests: every address counts as reachable until marked."""
        return None

    async def set_reachable(self, address: Address, reachable: bool) -> None:
        self.reachability.append((address, reachable))


@dataclass(frozen=True, slots=True)
class Call:
    address: Address
    reply: Reply
    key: str | None


class ScriptedMessenger:
    """A ``Messenger`` that records every send and raises what it was told to, per key.

    ``fail(key, e1, e2)`` makes the next two sends of ``key`` raise ``e1`` then ``e2``; the
    send after that succeeds. ``before_send`` runs inside each send, before it is settled,
    which lets a test pause a send or move the clock while it is in flight.
    """

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.attempts: list[Call] = []
        self.sent: list[Call] = []
        self.edits: list[tuple[Address, int, Reply]] = []
        self.uneditable: set[int] = set()
        """Message ids whose edit the platform refuses."""
        self.acknowledged: list[tuple[Event, str | None]] = []
        self.before_send: Callable[[Call], Awaitable[None]] | None = None
        self.max_in_flight = 0
        self.max_in_flight_per_address = 0
        self._script: dict[str, deque[BaseException]] = defaultdict(deque)
        self._in_flight: dict[Address, int] = defaultdict(int)

    def fail(self, key: str, *errors: BaseException) -> None:
        self._script[key].extend(errors)

    def sent_keys(self, address: Address | None = None) -> list[str | None]:
        return [call.key for call in self.sent if address is None or call.address == address]

    async def send(self, to: Address, reply: Reply, *, idempotency_key: str | None = None) -> int:
        call = Call(to, reply, idempotency_key)
        self.attempts.append(call)
        self._in_flight[to] += 1
        self.max_in_flight = max(self.max_in_flight, sum(self._in_flight.values()))
        self.max_in_flight_per_address = max(self.max_in_flight_per_address, self._in_flight[to])
        try:
            # Yield to the loop, as a real HTTP call would, so that concurrent sends interleave.
            await asyncio.sleep(0)
            if self.before_send is not None:
                await self.before_send(call)
            await asyncio.sleep(0)
            script = self._script.get(idempotency_key or "")
            if script:
                raise script.popleft()
            self.sent.append(call)
            return len(self.sent)
        finally:
            self._in_flight[to] -= 1

    async def edit(self, to: Address, message_id: int, reply: Reply) -> None:
        if message_id in self.uneditable:
            raise PermanentError("message to edit not found")
        self.edits.append((to, message_id, reply))

    async def acknowledge(self, event: Event, notice: str | None = None) -> None:
        self.acknowledged.append((event, notice))

    async def download(self, attachment: Attachment) -> bytes:
        if attachment.data is None:
            raise PermanentError("the fake messenger only has files given with their bytes")
        return attachment.data

    async def create_topic(self, chat: Address, title: str) -> int | None:
        return None

    async def reopen_topic(self, chat: Address, topic_id: int) -> None:
        return None

    async def rename_topic(self, chat: Address, topic_id: int, title: str) -> None:
        return None

    async def delete(self, to: Address, message_id: int) -> None:
        return None

    async def is_chat_admin(self, chat: Address, user_id: int) -> bool:
        return False

    async def chat_admins(self, chat: Address) -> list[StaffMember]:
        return []
