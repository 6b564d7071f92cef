"""The outbox sender: drains the durable outbox table through each platform's messenger.

Each destination is served on its own. The sender keeps claiming while earlier rows are
still being sent: a claim skips the addresses it is already serving and takes at most
``SenderTuning.per_address`` rows for any one address. So the staff chat, paced at 20
messages a minute, never holds back a reader's answer, and a reader's flood-wait never holds
back the staff chat: no head-of-line blocking across destinations.

Delivery guarantees, honestly stated:

* A row is claimed with a lease before it is sent, and sent at most once per claim. If the
  process dies after the claim but before the send, the row stays ``sending`` until its lease
  runs out and is then claimed again and sent: nothing is lost. It is due from the end of
  that lease, so abandoned rows do not jump ahead of everything else.
* If the process dies after the platform accepted a message but before ``mark_sent`` was
  committed, the row is claimed and sent again after its lease. The row's idempotency key is
  passed to the messenger each time. VK uses it as ``random_id``, so VK drops the repeat.
  Telegram has no such feature, so in that narrow window a Telegram reader may get the same
  message twice. That is at-least-once delivery, the best the Bot API allows.
* Rows for one address are sent one after another in id order. When one of them has to wait
  (a flood-wait, a transient error), the later ones claimed with it wait until the same
  moment, and this sender claims nothing more for that address until then. Another process
  may, so across processes the order after a retry is only as good as the storage's
  "earliest due first" claim.
* A row whose payload carries ``EXPIRES_KEY`` is dropped (failed, unsent) if it could not be
  sent before that time: a confirmation held back by a busy staff chat.
* A row whose payload names a message under ``EDIT_KEY`` edits that message instead of
  sending a new one; if the platform refuses the edit (the message is gone or too old), the
  content is sent as a new message and the after-send hook learns the new message's id.
* The storage port updates rows by id without checking who holds the lease, which is why a
  send is only started while at least half of its lease remains.
* Rows claimed together with one ``BATCH_KEY`` name and one payload, on a platform whose
  messenger has ``send_many`` (VK), go in one call to many peers (``peer_ids``, up to 100
  a call); each row is then settled by its own peer's outcome. The batch name is that call's
  idempotency key, so a repeat after a crash reaches no peer twice on VK.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, cast

from bot.outbox.backoff import backoff_delay
from bot.outbox.errors import describe
from bot.outbox.relay import AttachmentRelay
from bot.outbox.tuning import SenderTuning
from bot.publishing.publisher import Publisher
from handlers.core.messenger import (
    DeliveryError,
    Messenger,
    PermanentError,
    RecipientUnreachable,
    RetryAfter,
)
from handlers.core.ports import BATCH_KEY, EDIT_KEY, EXPIRES_KEY, Outbox
from handlers.core.replies import Reply
from handlers.publishing.posts import Post, post_of
from storage.models import Address, OutboxItem, Platform, Reader

log = logging.getLogger(__name__)


class Reachability(Protocol):
    """What the sender needs from the ``Readers`` port."""

    async def get(self, address: Address) -> Reader | None: ...

    async def set_reachable(self, address: Address, reachable: bool) -> None: ...


class BatchMessenger(Protocol):
    """A messenger that sends one reply to many peers in one call (VK ``peer_ids``)."""

    async def send_many(
        self, peer_ids: Sequence[int], reply: Reply, key: str | None = None
    ) -> Mapping[int, int | DeliveryError]: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


def _canonical(payload: Mapping[str, object]) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


class _Next(enum.Enum):
    GO_ON = "go on"
    """The row is settled (sent or failed); the address's next row may go."""
    HOLD = "hold"
    """The row was put back; the address's later rows wait until the same moment."""
    STOP = "stop"
    """The address is unreachable and its other rows were cancelled."""


@dataclass(frozen=True, slots=True)
class _Outcome:
    next: _Next
    hold_until: datetime | None = None


PEERS_PER_CALL = 100
"""The most peers one call to many takes (VK ``messages.send`` with ``peer_ids``)."""

_GO_ON = _Outcome(_Next.GO_ON)
_STOP = _Outcome(_Next.STOP)
_HELD = "held behind an earlier row to the same address"


class OutboxSender:
    """Claims due outbox rows and delivers them, each address on its own chain, at most
    ``tuning.concurrency`` chains at once.

    Use ``run`` in production and ``drain_once`` in tests; do not run both at once.
    """

    def __init__(
        self,
        outbox: Outbox,
        readers: Reachability,
        messengers: Mapping[Platform, Messenger],
        *,
        clock: Callable[[], datetime] = utc_now,
        tuning: SenderTuning | None = None,
        random_fraction: Callable[[], float] = random.random,
        relay: AttachmentRelay | None = None,
        on_sent: Callable[[OutboxItem, int], Awaitable[None]] | None = None,
        before_send: Callable[[OutboxItem, Reply], Awaitable[Reply]] | None = None,
        publishers: Mapping[Platform, Publisher] | None = None,
        observe: Callable[[OutboxItem, BaseException | None], None] | None = None,
    ) -> None:
        """``clock`` returns tz-aware UTC time; ``random_fraction`` in [0, 1) feeds the
        back-off jitter. ``messengers`` may lack a platform that is switched off: its rows are
        kept and retried every ``tuning.park_seconds``. ``publishers`` post the rows that carry a
        public post (``handlers.publishing.posts.PUBLICATION_KEY``) to the channel or the
        wall, with the same pacing, retries and back-off as messages. ``observe`` learns how
        each delivery attempt ended (None for a success), for metrics."""
        self._outbox = outbox
        self._readers = readers
        self._messengers = dict(messengers)
        self._clock = clock
        self._tuning = tuning or SenderTuning()
        self._random = random_fraction
        self._relay = relay
        self._on_sent = on_sent
        self._before_send = before_send
        self._publishers = dict(publishers or {})
        self._observe = observe or (lambda _item, _error: None)
        self._wake = asyncio.Event()
        self._stop: asyncio.Event | None = None
        self._warned_platforms: set[Platform] = set()
        self._slots = asyncio.Semaphore(self._tuning.concurrency)
        self._chains: dict[Address, asyncio.Task[None]] = {}
        self._batches: dict[asyncio.Task[None], tuple[Address, ...]] = {}
        self._held: dict[Address, datetime] = {}

    def notify(self) -> None:
        """Something was just enqueued: look for due rows now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; sends already started finish, nothing new starts.

        Rows are claimed whenever a chain slot is free and something is due, without waiting
        for the chains in flight. Failures of the storage itself are logged and retried after
        the poll interval, so the loop only ends through ``stop`` or cancellation.
        """
        self._stop = stop
        relay = asyncio.create_task(self._relay_stop(stop))
        try:
            while not stop.is_set():
                self._wake.clear()
                claimed = 0
                if self._in_flight() < self._tuning.concurrency:
                    try:
                        claimed, _ = await self._claim_and_start()
                    except Exception as exc:
                        log.error("outbox: claiming failed: %s", describe(exc))
                if claimed == 0 and not stop.is_set():
                    await self._idle()
        except asyncio.CancelledError:
            for task in [*self._chains.values(), *self._batches]:
                task.cancel()
            raise
        finally:
            relay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay
            await asyncio.gather(*self._chains.values(), *self._batches, return_exceptions=True)
            self._stop = None

    async def drain_once(self) -> int:
        """Claim one batch of due rows and deliver it; returns how many rows were claimed."""
        self._wake.clear()
        claimed, chains = await self._claim_and_start()
        await asyncio.gather(*chains)
        return claimed

    async def _claim_and_start(self) -> tuple[int, list[asyncio.Task[None]]]:
        """Claim due rows for addresses not being served now and start a chain for each
        address; returns how many rows were claimed and the chains started."""
        now = self._clock()
        items = await self._outbox.claim(
            self._tuning.batch_size,
            now,
            self._tuning.lease_seconds,
            per_address=self._tuning.per_address,
            skip=self._busy(now),
        )
        start_by = now + timedelta(seconds=self._tuning.lease_seconds / 2)
        batches, singles = self._batched(items)
        chains: dict[Address, list[OutboxItem]] = {}
        for item in sorted(singles, key=lambda i: i.id):
            chains.setdefault(item.address, []).append(item)
        started = []
        for address, chain in chains.items():
            task = asyncio.create_task(self._serve(address, chain, start_by))
            self._chains[address] = task
            started.append(task)
        for batch in batches:
            task = asyncio.create_task(self._serve_batch(batch, start_by))
            self._batches[task] = tuple(item.address for item in batch)
            started.append(task)
        return len(items), started

    def _in_flight(self) -> int:
        return len(self._chains) + len(self._batches)

    def _batched(
        self, items: Sequence[OutboxItem]
    ) -> tuple[list[list[OutboxItem]], list[OutboxItem]]:
        """Split claimed rows into groups that can go in one call (same platform, batch name
        and payload, on a messenger that sends to many at once, one row per address) and the
        rest, which go address by address."""
        groups: dict[tuple[Platform, str, str], list[OutboxItem]] = {}
        singles: list[OutboxItem] = []
        for item in sorted(items, key=lambda i: i.id):
            name = item.payload.get(BATCH_KEY)
            platform = item.address.platform
            batching = hasattr(self._messengers.get(platform), "send_many")
            if not isinstance(name, str) or not batching:
                singles.append(item)
                continue
            group = groups.setdefault((platform, name, _canonical(item.payload)), [])
            if any(other.address == item.address for other in group):
                singles.append(item)
            else:
                group.append(item)
        # An address with other rows in this claim keeps them all on its own chain, in order.
        chained = {item.address for item in singles}
        batches: list[list[OutboxItem]] = []
        for group in groups.values():
            members = [item for item in group if item.address not in chained]
            singles.extend(item for item in group if item.address in chained)
            if len(members) > 1:
                # One call's worth each, so that the calls of a big group run side by side
                # (the token's limiter still paces them).
                for start in range(0, len(members), PEERS_PER_CALL):
                    batches.append(members[start : start + PEERS_PER_CALL])
            else:
                singles.extend(members)
        return batches, singles

    def _busy(self, now: datetime) -> set[Address]:
        """Addresses not to claim for: those with a chain in flight, and those whose rows
        were put back until a moment still to come."""
        for address in [a for a, until in self._held.items() if until <= now]:
            del self._held[address]
        in_batches = {address for addresses in self._batches.values() for address in addresses}
        return set(self._chains) | in_batches | set(self._held)

    async def _serve(
        self, address: Address, chain: Sequence[OutboxItem], start_by: datetime
    ) -> None:
        try:
            async with self._slots:
                hold_until = await self._deliver_chain(chain, start_by)
            if hold_until is not None:
                self._held[address] = hold_until
        finally:
            del self._chains[address]
            self._wake.set()

    async def _serve_batch(self, batch: Sequence[OutboxItem], start_by: datetime) -> None:
        task = asyncio.current_task()
        try:
            async with self._slots:
                await self._deliver_batch(batch, start_by)
        except Exception as exc:
            log.error(
                "outbox batch %s: storage failed, rows left leased: %s",
                batch[0].payload.get(BATCH_KEY),
                describe(exc),
            )
        finally:
            if task is not None:
                self._batches.pop(task, None)
            self._wake.set()

    async def _deliver_batch(self, batch: Sequence[OutboxItem], start_by: datetime) -> None:
        """Deliver rows with one payload to many addresses of one platform in one call,
        then settle each row by its own peer's outcome, as ``_deliver`` settles one row."""
        platform = batch[0].address.platform
        messenger = self._messengers[platform]
        name = str(batch[0].payload[BATCH_KEY])
        try:
            reply = Reply.from_dict(batch[0].payload)
        except (KeyError, TypeError, ValueError) as exc:
            for item in batch:
                await self._fail(item, f"undecodable payload: {describe(exc)}")
            return
        # Reachability is not looked up row by row here: a batch goes to readers picked as
        # reachable when it was queued, and a peer that blocked the bot since is refused by
        # the platform (VK 901), which settles its row as ``_deliver`` would.
        live: list[OutboxItem] = []
        for item in batch:
            if self._stopping():
                await self._outbox.reschedule(item.id, self._clock(), "sender stopped")
            elif self._expired(item):
                await self._fail(item, "expired before it could be sent")
            else:
                live.append(item)
        if not live:
            return
        if self._clock() >= start_by:
            log.warning("outbox batch %s: lease half spent before sending, left to expire", name)
            return
        try:
            if self._relay is not None:
                reply = await self._relay.prepare(reply, platform)
            sender = cast(BatchMessenger, messenger)
            outcomes = await sender.send_many([i.address.peer_id for i in live], reply, name)
        except RetryAfter as exc:
            for item in live:
                await self._retry_after(item, exc)
            return
        except PermanentError as exc:
            for item in live:
                await self._fail(item, describe(exc))
            return
        except Exception as exc:
            if not isinstance(exc, DeliveryError):
                log.error("outbox batch %s: unexpected %s", name, describe(exc))
            for item in live:
                await self._back_off(item, exc)
            return
        sent: list[int] = []
        for item in live:
            outcome = outcomes.get(item.address.peer_id)
            if isinstance(outcome, RecipientUnreachable):
                await self._unreachable(item, outcome)
            elif isinstance(outcome, RetryAfter):
                await self._retry_after(item, outcome)
            elif isinstance(outcome, PermanentError):
                await self._fail(item, describe(outcome))
            elif isinstance(outcome, DeliveryError):
                await self._back_off(item, outcome)
            elif outcome is None:
                await self._fail(item, "the platform gave no result for this peer")
            else:
                sent.append(item.id)
        await self._outbox.mark_sent_many(sent, self._clock())
        log.debug("outbox batch %s: %d rows settled on %s", name, len(live), platform)

    async def _relay_stop(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._tuning.poll_interval):
                await self._wake.wait()

    def _stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    async def _deliver_chain(
        self, chain: Sequence[OutboxItem], start_by: datetime
    ) -> datetime | None:
        """Deliver one address's rows in id order; returns when the address may be served
        again if its rows were put back. Never raises: a storage failure ends the chain and
        leaves the rest leased, to be claimed again in order."""
        hold_until: datetime | None = None
        for item in chain:
            try:
                if hold_until is not None:
                    await self._outbox.reschedule(item.id, hold_until, _HELD)
                    continue
                if self._stopping():
                    await self._outbox.reschedule(item.id, self._clock(), "sender stopped")
                    continue
                if self._clock() >= start_by:
                    log.warning(
                        "outbox #%d key=%s: lease half spent before sending, left to expire",
                        item.id,
                        item.key,
                    )
                    return None
                outcome = await self._deliver(item)
            except Exception as exc:
                log.error(
                    "outbox #%d key=%s: storage failed, rest of the chain left leased: %s",
                    item.id,
                    item.key,
                    describe(exc),
                )
                return hold_until
            if outcome.next is _Next.STOP:
                return None
            hold_until = outcome.hold_until
        return hold_until

    async def _deliver(self, item: OutboxItem) -> _Outcome:
        try:
            post = post_of(item.payload)
        except (KeyError, TypeError, ValueError) as exc:
            return await self._fail(item, f"undecodable post: {describe(exc)}")
        if post is not None:
            return await self._publish(item, post)
        platform = item.address.platform
        messenger = self._messengers.get(platform)
        if messenger is None:
            return await self._park(item)
        try:
            reply = Reply.from_dict(item.payload)
        except (KeyError, TypeError, ValueError) as exc:
            return await self._fail(item, f"undecodable payload: {describe(exc)}")
        reader = await self._readers.get(item.address)
        if reader is not None and not reader.reachable:
            return await self._skip_unreachable(item)
        if self._expired(item):
            return await self._fail(item, "expired before it could be sent")
        try:
            if self._before_send is not None:
                reply = await self._before_send(item, reply)
            if self._relay is not None:
                reply = await self._relay.prepare(reply, platform)
            message_id = await self._send_or_edit(messenger, item, reply)
        except RetryAfter as exc:
            self._observe(item, exc)
            return await self._retry_after(item, exc)
        except RecipientUnreachable as exc:
            self._observe(item, exc)
            return await self._unreachable(item, exc)
        except PermanentError as exc:
            self._observe(item, exc)
            return await self._fail(item, describe(exc))
        except Exception as exc:
            self._observe(item, exc)
            # TransientError, and anything unexpected: an adapter bug must not stop the loop.
            if not isinstance(exc, DeliveryError):
                log.error("outbox #%d key=%s: unexpected %s", item.id, item.key, describe(exc))
            return await self._back_off(item, exc)
        self._observe(item, None)
        await self._outbox.mark_sent(item.id, self._clock())
        log.debug("outbox #%d key=%s sent on %s", item.id, item.key, platform)
        if self._on_sent is not None:
            try:
                await self._on_sent(item, message_id)
            except Exception as exc:
                log.error(
                    "outbox #%d key=%s: after-send hook failed: %s",
                    item.id,
                    item.key,
                    describe(exc),
                )
        return _GO_ON

    async def _publish(self, item: OutboxItem, post: Post) -> _Outcome:
        platform = item.address.platform
        publisher = self._publishers.get(platform)
        if publisher is None:
            return await self._park(item)
        try:
            await publisher.publish(post, item.key)
        except RetryAfter as exc:
            return await self._retry_after(item, exc)
        except PermanentError as exc:
            return await self._fail(item, describe(exc))
        except Exception as exc:
            if not isinstance(exc, DeliveryError):
                log.error("outbox #%d key=%s: unexpected %s", item.id, item.key, describe(exc))
            return await self._back_off(item, exc)
        await self._outbox.mark_sent(item.id, self._clock())
        log.info("outbox #%d key=%s posted on %s", item.id, item.key, platform)
        return _GO_ON

    def _expired(self, item: OutboxItem) -> bool:
        expires = item.payload.get(EXPIRES_KEY)
        if not isinstance(expires, str):
            return False
        try:
            at = datetime.fromisoformat(expires)
        except ValueError:
            return False
        return self._clock() > (at if at.tzinfo else at.replace(tzinfo=UTC))

    @staticmethod
    async def _send_or_edit(messenger: Messenger, item: OutboxItem, reply: Reply) -> int:
        target = item.payload.get(EDIT_KEY)
        if isinstance(target, int) and not isinstance(target, bool):
            try:
                await messenger.edit(item.address, target, reply)
                return target
            except PermanentError as exc:
                log.info(
                    "outbox #%d key=%s: message %d not edited (%s), sending anew",
                    item.id,
                    item.key,
                    target,
                    describe(exc),
                )
        # A batch row sent on its own keeps the batch's key: VK deduplicates per peer, so a
        # peer already reached by the batch call is not reached again.
        batch = item.payload.get(BATCH_KEY)
        key = batch if isinstance(batch, str) else item.key
        return await messenger.send(item.address, reply, idempotency_key=key)

    async def _park(self, item: OutboxItem) -> _Outcome:
        platform = item.address.platform
        if platform not in self._warned_platforms:
            self._warned_platforms.add(platform)
            log.warning("outbox: no messenger for %s; its rows wait until one is set up", platform)
        at = self._clock() + timedelta(seconds=self._tuning.park_seconds)
        await self._outbox.reschedule(item.id, at, f"no messenger for {platform}")
        return _Outcome(_Next.HOLD, at)

    async def _retry_after(self, item: OutboxItem, exc: RetryAfter) -> _Outcome:
        if item.attempts + 1 >= self._tuning.max_retry_after_attempts:
            return await self._fail(item, f"gave up: {describe(exc)}")
        at = self._clock() + timedelta(seconds=max(exc.seconds, 0.0))
        log.info(
            "outbox #%d key=%s: flood-wait %.1fs on %s",
            item.id,
            item.key,
            exc.seconds,
            item.address.platform,
        )
        await self._outbox.reschedule(item.id, at, describe(exc))
        return _Outcome(_Next.HOLD, at)

    async def _back_off(self, item: OutboxItem, exc: Exception) -> _Outcome:
        error = describe(exc)
        attempt = item.attempts + 1
        if attempt >= self._tuning.max_attempts:
            return await self._fail(item, f"gave up after {attempt} attempts: {error}")
        delay = backoff_delay(
            attempt, self._tuning.backoff_base, self._tuning.backoff_cap, self._random
        )
        at = self._clock() + timedelta(seconds=delay)
        log.warning(
            "outbox #%d key=%s: attempt %d on %s failed (%s), retry in %.0fs",
            item.id,
            item.key,
            attempt,
            item.address.platform,
            error,
            delay,
        )
        await self._outbox.reschedule(item.id, at, error)
        return _Outcome(_Next.HOLD, at)

    async def _unreachable(self, item: OutboxItem, exc: RecipientUnreachable) -> _Outcome:
        # The reader is marked first, so that whoever sees the row settled also sees the
        # reader unreachable; the row is failed before cancelling, so that the cancellation
        # does not sweep it up.
        await self._readers.set_reachable(item.address, False)
        await self._outbox.mark_failed(item.id, describe(exc))
        cancelled = await self._outbox.cancel_for(item.address)
        log.info(
            "outbox #%d key=%s: recipient on %s unreachable, %d other rows cancelled",
            item.id,
            item.key,
            item.address.platform,
            cancelled,
        )
        return _STOP

    async def _skip_unreachable(self, item: OutboxItem) -> _Outcome:
        """The reader blocked the bot earlier: nothing is sent until they write again."""
        cancelled = await self._outbox.cancel_for(item.address)
        log.info(
            "outbox #%d key=%s: recipient on %s marked unreachable, %d rows cancelled",
            item.id,
            item.key,
            item.address.platform,
            cancelled,
        )
        return _STOP

    async def _fail(self, item: OutboxItem, error: str) -> _Outcome:
        log.warning("outbox #%d key=%s failed: %s", item.id, item.key, error)
        await self._outbox.mark_failed(item.id, error)
        return _GO_ON
