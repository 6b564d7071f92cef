"""The operational parts of one application: metrics, probes, shared limiters and the
scheduler election, built from the settings. ``bot.app`` calls into this so that its own
wiring stays about the bot."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ops.health import LoopProbe, Readiness, add_routes
from bot.ops.instrument import Handler, MeasuredLimiter, measured_handler, watch_scheduler
from bot.ops.leader import Election, lock_for, skip_runs_before
from bot.ops.limiters import PostgresRateLimiter, RedisRateLimiter, token_namespace
from bot.ops.metrics import Metrics
from bot.ratelimit import Limiter, RateLimiter
from bot.settings import Settings
from storage.health import HealthRepository
from storage.types import Clock

if TYPE_CHECKING:
    from aiogram import Bot

    from bot.ops.pulse import Pulse

log = logging.getLogger(__name__)


class Operations:
    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        limiter_factory: Callable[[], Limiter] | None = None,
    ) -> None:
        """``limiter_factory``, when given, makes every token's limiter (tests pass one);
        otherwise the settings choose: Redis, PostgreSQL, or in process on SQLite."""
        self.settings = settings
        self.clock = clock
        self.metrics = Metrics()
        self._limiter_factory = limiter_factory
        self._redis: Any = None
        self._loops: list[LoopProbe] = []
        self.election: Election | None = None

    def limiter(self, platform: str, token: str, engine: AsyncEngine) -> Limiter:
        """The one limiter of ``token``, shared with the deployment's other processes when
        there is a shared store, and measured."""
        return MeasuredLimiter(self._raw_limiter(token, engine), self.metrics, platform)

    def _raw_limiter(self, token: str, engine: AsyncEngine) -> Limiter:
        if self._limiter_factory is not None:
            return self._limiter_factory()
        redis_url = self.settings.redis_url.get_secret_value()
        if redis_url:
            if self._redis is None:
                from redis.asyncio import Redis

                self._redis = Redis.from_url(redis_url)
            return RedisRateLimiter(self._redis, token_namespace(token))
        if engine.dialect.name == "postgresql":
            return PostgresRateLimiter(engine, token_namespace(token))
        return RateLimiter()

    def handler(self, handle: Handler) -> Handler:
        return measured_handler(handle, self.metrics)

    def telegram_pulse(self, bot: Bot, *, polling: bool) -> Pulse:
        from bot.ops.pulse import Pulse, TelegramPulse

        pulse = Pulse(self.clock)
        bot.session.middleware(TelegramPulse(pulse, "getUpdates" if polling else None))
        return pulse

    def watch_loop(
        self,
        name: str,
        task: asyncio.Task[None] | None = None,
        pulse: Pulse | None = None,
        failures: Callable[[], int] | None = None,
    ) -> None:
        """Report ``name``'s update loop to ``/readyz``: its task must be running, and its
        platform answering (by ``pulse`` or by its count of ``failures`` in a row)."""

        def check() -> str:
            if task is not None and task.done():
                return "the update loop has stopped"
            if pulse is not None and pulse.failing_since is not None:
                since = pulse.failing_since.isoformat(timespec="seconds")
                return f"the platform does not answer since {since} ({pulse.last_error})"
            if failures is not None and failures() > 0:
                return f"the platform does not answer ({failures()} failures in a row)"
            return ""

        self._loops.append(LoopProbe(name, check))

    def mount(self, app: web.Application, engine: AsyncEngine) -> None:
        health = HealthRepository(engine)
        gauges = self.metrics.watch_database(health, self.clock)
        readiness = Readiness(
            health,
            self._loops,
            clock=self.clock,
            outbox_max_age_seconds=self.settings.readiness_outbox_max_age_seconds,
        )
        add_routes(app, readiness, self.metrics, gauges)

    def elect(self, scheduler: AsyncIOScheduler, engine: AsyncEngine) -> Election:
        """Start ``scheduler`` paused and let the election resume it in one process only."""
        watch_scheduler(scheduler, self.metrics)
        scheduler.start(paused=True)

        def lead(refused_at: datetime | None) -> None:
            if refused_at is not None:
                skip_runs_before(scheduler, refused_at)
            scheduler.resume()

        def follow() -> None:
            if scheduler.running:
                scheduler.pause()

        self.election = Election(
            lock_for(engine),
            on_lead=lead,
            on_follow=follow,
            retry_seconds=self.settings.scheduler_lock_retry_seconds,
        )
        return self.election

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None
