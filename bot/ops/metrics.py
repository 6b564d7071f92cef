"""The application's Prometheus metrics, on a registry of its own.

Each ``Application`` gets its own :class:`Metrics`, so tests can build several in one process.
Labels carry only platforms, kinds, outcomes and job names: never a reader's or a chat's id,
a name or a text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from storage.health import HealthRepository

OUTCOMES = ("ok", "429", "403", "5xx", "timeout", "network", "rejected", "error")
"""What a send can end in; see :func:`bot.ops.outcomes.send_outcome`."""


class Metrics:
    """Counters and histograms the application's parts report to."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "bot_updates",
            "Updates received, by platform and kind (message, button, attachment).",
            ["platform", "kind"],
            registry=self.registry,
        )
        self.handling_seconds = Histogram(
            "bot_update_handling_seconds",
            "Time spent handling one update, by platform.",
            ["platform"],
            registry=self.registry,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.update_failures = Counter(
            "bot_update_failures",
            "Updates whose handling raised, by platform.",
            ["platform"],
            registry=self.registry,
        )
        self.sends = Counter(
            "bot_outbox_sends",
            "Outbox delivery attempts, by platform and outcome.",
            ["platform", "outcome"],
            registry=self.registry,
        )
        self.limiter_waits = Counter(
            "bot_ratelimit_waits",
            "Calls that had to wait for a rate limit, by platform.",
            ["platform"],
            registry=self.registry,
        )
        self.limiter_wait_seconds = Counter(
            "bot_ratelimit_wait_seconds",
            "Total time calls waited for a rate limit, by platform.",
            ["platform"],
            registry=self.registry,
        )
        self.job_runs = Counter(
            "bot_scheduler_job_runs",
            "Scheduler job runs, by job.",
            ["job"],
            registry=self.registry,
        )
        self.job_failures = Counter(
            "bot_scheduler_job_failures",
            "Scheduler job runs that raised or were missed, by job.",
            ["job"],
            registry=self.registry,
        )

    def watch_database(
        self, health: HealthRepository, clock: Callable[[], datetime]
    ) -> DatabaseCollector:
        """Report the outbox backlog and the tickets, read from ``health`` at each scrape."""
        collector = DatabaseCollector(health, clock)
        self.registry.register(collector)
        return collector


class DatabaseCollector(Collector):
    """Gauges read from the database. ``refresh`` is awaited before each scrape (collectors
    are synchronous in prometheus_client, the queries are not)."""

    def __init__(self, health: HealthRepository, clock: Callable[[], datetime]) -> None:
        self._health = health
        self._clock = clock
        self._values: dict[str, float] = {}

    async def refresh(self) -> None:
        now = self._clock()
        backlog = await self._health.outbox_backlog(now)
        tickets = await self._health.ticket_counts(now)
        self._values = {
            "depth": backlog.depth,
            "due": backlog.due,
            "oldest": backlog.oldest_due_age_seconds,
            "open": tickets.open,
            "overdue": tickets.overdue,
        }

    def collect(self) -> Iterable[Metric]:
        if not self._values:
            return []
        values = self._values
        depth = GaugeMetricFamily(
            "bot_outbox_depth", "Outbox rows not yet settled, by state.", labels=["state"]
        )
        depth.add_metric(["waiting"], values["depth"])
        depth.add_metric(["due"], values["due"])
        oldest = GaugeMetricFamily(
            "bot_outbox_oldest_due_age_seconds",
            "How long the earliest due outbox row has waited.",
            value=values["oldest"],
        )
        tickets = GaugeMetricFamily(
            "bot_tickets",
            "Reference requests still open, and those past their deadline.",
            labels=["state"],
        )
        tickets.add_metric(["open"], values["open"])
        tickets.add_metric(["overdue"], values["overdue"])
        return [depth, oldest, tickets]


Refresh = Callable[[], Awaitable[None]]
