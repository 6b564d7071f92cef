"""Announcements wired from the settings: the publishers the outbox sender posts with, the
staff feature, and the scheduler's jobs."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

import aiohttp
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.publishing.images import ImageFetcher
from bot.publishing.jobs import CalendarJob, DigestJob, add_announcement_jobs, digest_trigger
from bot.publishing.publisher import Publisher
from bot.ratelimit import Limiter, vk_user_limits
from bot.settings import Settings
from handlers.core.features import StaffFeature
from handlers.core.i18n import Catalog
from handlers.core.messenger import Messenger
from handlers.core.ports import Outbox
from handlers.publishing.announcer import Announcer
from handlers.publishing.arrivals import ArrivalSource
from handlers.publishing.calendar import CalendarPosts
from handlers.publishing.digests import DigestPolicy, Digests
from handlers.publishing.staff import Announcements
from storage.database import Storage
from storage.models import Platform
from storage.types import Clock, utcnow

if TYPE_CHECKING:
    from aiogram import Bot

    from bot.vk.api import VkApi

log = logging.getLogger(__name__)

NO_WALL = (
    "VK_USER_TOKEN is not set: digests, calendar posts and exhibitions are not posted to the "
    "VK community wall (wall.post needs a community admin's user token)"
)


@dataclass(slots=True)
class Publishing:
    publishers: dict[Platform, Publisher]
    digests: Digests
    posts: CalendarPosts
    feature: StaffFeature
    digest_job: DigestJob
    calendar_job: CalendarJob
    _closing: list[aiohttp.ClientSession | VkApi] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        storage: Storage,
        outbox: Outbox,
        arrivals: ArrivalSource,
        catalog: Catalog,
        messengers: Mapping[Platform, Messenger],
        bot: Bot | None,
        limiter: Limiter | None = None,
        clock: Clock = utcnow,
    ) -> Publishing:
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        images = ImageFetcher(messengers, session)
        publishers: dict[Platform, Publisher] = {}
        closing: list[aiohttp.ClientSession | VkApi] = [session]
        # Each platform's publisher is imported only when it is configured.
        if settings.channel_enabled and bot is not None:
            from bot.publishing.telegram import TelegramPublisher

            publishers[Platform.TELEGRAM] = TelegramPublisher(
                bot, settings.telegram_channel, images
            )
        if settings.wall_enabled and settings.vk_group_id is not None:
            from bot.publishing.vk import VkWallPublisher
            from bot.vk.api import VkApi

            api = VkApi(
                settings.vk_user_token,
                base_url=settings.vk_api_base,
                version=settings.vk_api_version,
                limiter=limiter,
                limits=vk_user_limits,
            )
            closing.append(api)
            publishers[Platform.VK] = VkWallPublisher(api, settings.vk_group_id, images)
        elif settings.vk_enabled:
            log.warning(NO_WALL)
        t = catalog.translator(catalog.default)
        announcer = Announcer(outbox, publishers)
        digests = Digests(
            storage.digests,
            arrivals,
            announcer,
            outbox,
            settings.staff_chat,
            t,
            DigestPolicy(
                timezone=settings.library_timezone,
                approval=settings.digest_approval,
                first_period=timedelta(days=settings.digest_first_days),
            ),
        )
        grace = timedelta(minutes=settings.digest_grace_minutes)
        posts = CalendarPosts(storage.calendar, announcer, grace)
        feature = Announcements(
            digests=digests,
            calendar=storage.calendar,
            posts=posts,
            arrivals=arrivals,
            messengers=messengers,
            outbox=outbox,
            t=t,
            timezone=settings.library_timezone,
            calendar_time=settings.calendar_post_time,
            clock=clock,
        ).feature()
        trigger = digest_trigger(settings.digest_cron, settings.library_timezone)
        return cls(
            publishers=publishers,
            digests=digests,
            posts=posts,
            feature=feature,
            digest_job=DigestJob(digests, trigger, grace, clock),
            calendar_job=CalendarJob(posts, clock),
            _closing=closing,
        )

    def schedule(self, scheduler: AsyncIOScheduler, settings: Settings) -> None:
        add_announcement_jobs(
            scheduler,
            self.digest_job,
            digest_trigger(settings.digest_cron, settings.library_timezone),
            self.calendar_job,
            timedelta(minutes=settings.digest_grace_minutes),
        )

    async def close(self) -> None:
        for resource in self._closing:
            await resource.close()
