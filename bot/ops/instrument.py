"""Wrappers that report to :class:`bot.ops.metrics.Metrics` without the wrapped parts
knowing about metrics."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.schedulers.base import BaseScheduler

from bot.ops.metrics import Metrics
from bot.ops.outcomes import send_outcome
from bot.ratelimit import Limit, Limiter
from handlers.core.events import Event
from storage.models import OutboxItem

Handler = Callable[[Event], Awaitable[None]]

WAIT_THRESHOLD_SECONDS = 0.001
"""A limiter call shorter than this did not wait; it only did its bookkeeping."""


def event_kind(event: Event) -> str:
    if event.payload is not None or event.callback_id is not None:
        return "button"
    if event.attachments:
        return "attachment"
    return "message"


def measured_handler(
    handle: Handler, metrics: Metrics, timer: Callable[[], float] = time.perf_counter
) -> Handler:
    """``handle`` counting each event by platform and kind and timing its handling."""

    async def measured(event: Event) -> None:
        platform = str(event.address.platform)
        metrics.updates.labels(platform, event_kind(event)).inc()
        started = timer()
        try:
            await handle(event)
        except BaseException:
            metrics.update_failures.labels(platform).inc()
            raise
        finally:
            metrics.handling_seconds.labels(platform).observe(max(timer() - started, 0.0))

    return measured


class MeasuredLimiter:
    """A limiter counting how often, and how long, calls waited for it."""

    def __init__(
        self,
        inner: Limiter,
        metrics: Metrics,
        platform: str,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._inner = inner
        self._metrics = metrics
        self._platform = platform
        self._timer = timer

    @asynccontextmanager
    async def hold(self, limits: Sequence[Limit]) -> AsyncIterator[None]:
        started = self._timer()
        async with self._inner.hold(limits):
            waited = self._timer() - started
            if waited >= WAIT_THRESHOLD_SECONDS:
                self._metrics.limiter_waits.labels(self._platform).inc()
                self._metrics.limiter_wait_seconds.labels(self._platform).inc(waited)
            yield


def send_observer(metrics: Metrics) -> Callable[[OutboxItem, BaseException | None], None]:
    """The outbox sender's hook: one count per delivery attempt, by platform and outcome."""

    def observe(item: OutboxItem, error: BaseException | None) -> None:
        metrics.sends.labels(str(item.address.platform), send_outcome(error)).inc()

    return observe


def watch_scheduler(scheduler: BaseScheduler, metrics: Metrics) -> None:
    """Count every job run, and every run that raised or was missed, by job id (the ids are
    fixed names such as ``retention``, never data)."""

    def listen(event: Any) -> None:
        job = str(getattr(event, "job_id", "unknown"))
        if event.code == EVENT_JOB_EXECUTED:
            metrics.job_runs.labels(job).inc()
        elif isinstance(event, JobExecutionEvent) and event.code == EVENT_JOB_ERROR:
            metrics.job_runs.labels(job).inc()
            metrics.job_failures.labels(job).inc()
        elif event.code == EVENT_JOB_MISSED:
            metrics.job_failures.labels(job).inc()

    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
