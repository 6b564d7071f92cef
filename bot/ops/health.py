"""``/healthz``, ``/readyz`` and ``/metrics`` on the application's web server.

``/healthz`` answers as long as the event loop does. ``/readyz`` answers 200 only when the
database answers, every platform's update loop is alive and its platform answers, and the
outbox's oldest due row is younger than the threshold; otherwise 503, with one line per check
saying which failed (no personal data, no secrets). ``/metrics`` is the Prometheus text format.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.ops.metrics import DatabaseCollector, Metrics
from storage.health import HealthRepository
from storage.types import Clock

log = logging.getLogger(__name__)

HEALTHZ_PATH = "/healthz"
READYZ_PATH = "/readyz"
METRICS_PATH = "/metrics"
DATABASE_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class LoopProbe:
    """One platform's update loop: ``check`` returns "" when it is fine, else the problem."""

    name: str
    check: Callable[[], str]


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str
    problem: str

    @property
    def ok(self) -> bool:
        return not self.problem

    def line(self) -> str:
        return f"{self.name}: {'ok' if self.ok else self.problem}"


class Readiness:
    """The checks behind ``/readyz``."""

    def __init__(
        self,
        health: HealthRepository,
        loops: Sequence[LoopProbe],
        *,
        clock: Clock,
        outbox_max_age_seconds: float,
    ) -> None:
        self._health = health
        self._loops = loops
        self._clock = clock
        self._max_age = outbox_max_age_seconds

    async def verdicts(self) -> list[Verdict]:
        verdicts = [Verdict(probe.name, probe.check()) for probe in self._loops]
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
                await self._health.ping()
                backlog = await self._health.outbox_backlog(self._clock())
        except Exception as error:
            # Drivers raise their own errors at connect time, not always wrapped by
            # SQLAlchemy: any failure here means the database does not answer.
            return [
                Verdict("database", f"does not answer ({type(error).__name__})"),
                *verdicts,
            ]
        age = backlog.oldest_due_age_seconds
        outbox = (
            ""
            if age <= self._max_age
            else f"the oldest due message has waited {age:.0f}s (more than {self._max_age:.0f}s)"
        )
        return [Verdict("database", ""), *verdicts, Verdict("outbox", outbox)]


def add_routes(
    app: web.Application,
    readiness: Readiness,
    metrics: Metrics,
    database_gauges: DatabaseCollector,
) -> None:
    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_request: web.Request) -> web.Response:
        verdicts = await readiness.verdicts()
        ready = all(verdict.ok for verdict in verdicts)
        body = "\n".join(verdict.line() for verdict in verdicts) + "\n"
        return web.Response(status=200 if ready else 503, text=body)

    async def scrape(_request: web.Request) -> web.Response:
        await _refresh(database_gauges.refresh)
        return web.Response(
            body=generate_latest(metrics.registry),
            headers={"Content-Type": CONTENT_TYPE_LATEST},
        )

    app.router.add_get(HEALTHZ_PATH, healthz)
    app.router.add_get(READYZ_PATH, readyz)
    app.router.add_get(METRICS_PATH, scrape)


async def _refresh(refresh: Callable[[], Awaitable[None]]) -> None:
    """The database gauges keep their last values when the database does not answer; the
    process's own counters are still worth scraping."""
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
            await refresh()
    except Exception as error:
        log.warning("metrics: database gauges not refreshed (%s)", type(error).__name__)
