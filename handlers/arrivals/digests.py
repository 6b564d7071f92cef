"""Personal digests of new arrivals for subject subscribers, queued in the outbox.

"As they arrive": a job run every few minutes takes the arrivals numbered past a stored
cursor and queues, for each subscriber of a matching subject, one message listing the new
matching titles. The cursor is written in two steps: first the upper bound of the batch
being announced (``done:planned``), then, once every message is queued, the bound as done.
A run cut short repeats the same batch with the same outbox keys
(``sdi:<reader>:<last arrival>``), so no reader hears about a title twice.

Weekly: one message per subscriber with the last seven days' matches, keyed
``sdi-week:<reader>:<ISO week>``, so a run repeated after a restart adds nothing.

Readers whose messages are identical (same language, same titles) share a batch name in the
payload (``BATCH_KEY``), so the sender can deliver them in one VK call with ``peer_ids``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from handlers.arrivals.display import entry
from handlers.arrivals.subjects import SubjectMap
from handlers.arrivals.subscription_ports import Cursors, NewArrivals, Subscriptions
from handlers.arrivals.subscriptions import HOME
from handlers.core.i18n import Catalog
from handlers.core.ports import BATCH_KEY
from handlers.core.replies import Button, Reply
from storage.arrival_models import Arrival
from storage.models import NewRow, Platform
from storage.subscriptions import Frequency, Subscriber
from storage.types import Clock, utcnow

log = logging.getLogger(__name__)

INSTANT_CURSOR = "arrivals:subscriptions:instant"
MAX_TITLES = 10
"""Titles listed in one digest; the rest are counted and left to the arrivals list."""
WEEK = timedelta(days=7)
ENQUEUE_CHUNK = 500


class DigestOutbox(Protocol):
    async def enqueue_many(self, rows: Sequence[NewRow]) -> int: ...


KeyOf = Callable[[int], str]
"""The outbox key of one reader's digest, by reader id."""


@dataclass(frozen=True, slots=True)
class DigestPlanner:
    subscriptions: Subscriptions
    arrivals: NewArrivals
    cursors: Cursors
    outbox: DigestOutbox
    catalog: Catalog
    subjects: SubjectMap
    timezone: ZoneInfo
    clock: Clock = utcnow
    batch_size: int = 500
    """Arrivals announced per instant run at most; a bigger import takes several."""

    async def send_new(self) -> int:
        """Queue "as they arrive" digests for the arrivals added since the last run; returns
        how many messages were queued. The very first run only notes where arrivals stand,
        so that subscribers are not sent the whole back catalogue."""
        raw = await self.cursors.load(INSTANT_CURSOR)
        if raw is None or (parsed := _parse_cursor(raw)) is None:
            newest = await self.arrivals.newest_id()
            await self.cursors.save(INSTANT_CURSOR, _cursor(newest, newest))
            return 0
        done, planned = parsed
        queued = 0
        while True:
            if planned > done:
                batch = await self.arrivals.after(done, planned, limit=self.batch_size)
            else:
                batch = await self.arrivals.after(done, limit=self.batch_size)
                if not batch:
                    return queued
                planned = batch[-1].id
                await self.cursors.save(INSTANT_CURSOR, _cursor(done, planned))
            queued += await self._fan_out(
                batch, Frequency.INSTANT, "subs-digest-instant", _instant_key(planned)
            )
            done = planned
            await self.cursors.save(INSTANT_CURSOR, _cursor(done, done))

    async def send_weekly(self) -> int:
        """Queue the weekly digests (the last seven days' matches); returns how many."""
        now = self.clock()
        year, week, _ = now.astimezone(self.timezone).isocalendar()
        name = f"{year}-W{week:02d}"
        arrivals = await self.arrivals.added_since(now - WEEK, limit=self.batch_size)
        return await self._fan_out(
            arrivals, Frequency.WEEKLY, "subs-digest-weekly", lambda r: f"sdi-week:{r}:{name}"
        )

    async def _fan_out(
        self, arrivals: Sequence[Arrival], frequency: Frequency, heading: str, key_of: KeyOf
    ) -> int:
        codes = {code for arrival in arrivals for code in arrival.record.subjects}
        if not codes:
            return 0
        readers = await self.subscriptions.subscribers(frequency, codes)
        payloads: dict[tuple[str, tuple[int, ...]], dict[str, object]] = {}
        rows: list[NewRow] = []
        for reader in readers:
            matches = _matching(arrivals, reader)
            if not matches:
                continue
            group = (reader.language, tuple(arrival.id for arrival in matches))
            payload = payloads.get(group)
            if payload is None:
                payload = self._payload(reader.language, heading, matches, key_of(0))
                payloads[group] = payload
            rows.append(NewRow(key_of(reader.reader_id), reader.address, payload, reader.reader_id))
        # Identical messages side by side, VK first: a claim then takes whole peer_ids
        # batches, and VK's hundred-a-call fan-out is not paced behind Telegram's 30/s.
        rows.sort(key=lambda row: (row.address.platform != Platform.VK, _group_of(row)))
        queued = 0
        for start in range(0, len(rows), ENQUEUE_CHUNK):
            queued += await self.outbox.enqueue_many(rows[start : start + ENQUEUE_CHUNK])
        log.info(
            "subscriptions: %d %s digests queued for %d arrivals (%d distinct messages)",
            queued,
            frequency,
            len(arrivals),
            len(payloads),
        )
        return queued

    def _payload(
        self, language: str, heading: str, matches: Sequence[Arrival], key: str
    ) -> dict[str, object]:
        t = self.catalog.translator(language)
        shown = matches[:MAX_TITLES]
        parts = [t(heading)]
        parts.extend(entry(t, self.subjects, n, a) for n, a in enumerate(shown, start=1))
        if len(matches) > len(shown):
            parts.append(t("subs-digest-more", count=len(matches) - len(shown)))
        parts.append(t("subs-digest-footer"))
        reply = Reply("\n\n".join(parts), ((Button(t("subs-manage"), HOME),),))
        ids = ",".join(str(arrival.id) for arrival in matches)
        digest = hashlib.sha256(f"{language}:{ids}".encode()).hexdigest()[:16]
        # The reader-0 key names the whole group: one per run, language and set of titles.
        return reply.to_dict() | {BATCH_KEY: f"{key}:{language}:{digest}"}


def _group_of(row: NewRow) -> str:
    return str(row.payload.get(BATCH_KEY, ""))


def _instant_key(last_arrival: int) -> KeyOf:
    return lambda reader_id: f"sdi:{reader_id}:{last_arrival}"


def _matching(arrivals: Sequence[Arrival], reader: Subscriber) -> list[Arrival]:
    return [a for a in arrivals if reader.subjects.intersection(a.record.subjects)]


def _cursor(done: int, planned: int) -> str:
    return f"{done}:{planned}"


def _parse_cursor(raw: str) -> tuple[int, int] | None:
    done, _, planned = raw.partition(":")
    if not (done.isdigit() and planned.isdigit()):
        return None
    return int(done), int(planned)
