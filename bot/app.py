"""The composition root: builds every part from the settings and runs them in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.arrivals.digest_jobs import add_digest_jobs
from bot.arrivals.importer import ArrivalImporter
from bot.arrivals.poller import FeedPoller
from bot.arrivals.schedule import add_feed_job, feed_trigger
from bot.arrivals.subject_settings import load_subjects
from bot.features import Wiring
from bot.ils import build_ils
from bot.ops.instrument import send_observer
from bot.ops.runtime import Operations
from bot.outbox.notifying import NotifyingOutbox, NotifyingTransactions
from bot.outbox.relay import MAX_RELAY_BYTES, AttachmentRelay, Notice
from bot.outbox.sender import OutboxSender
from bot.outbox.tuning import SenderTuning
from bot.publishing.stored_arrivals import StoredArrivals
from bot.publishing.wiring import Publishing
from bot.ratelimit import Limiter
from bot.scheduler import build_scheduler
from bot.settings import Settings, TelegramMode, VkMode
from handlers.arrivals.digests import DigestPlanner
from handlers.arrivals.subscriptions import WeeklySchedule
from handlers.core.config import (
    LibraryProfile,
    LoanPolicy,
    ReaderPolicy,
    ServiceConfig,
    TicketPolicy,
    WorkingTime,
)
from handlers.core.features import Command
from handlers.core.i18n import Catalog
from handlers.core.messenger import Messenger
from handlers.core.router import EventRouter
from handlers.loans.ils import Ils
from handlers.loans.reminders.job import LoanReminders
from handlers.publishing.arrivals import ArrivalSource
from handlers.reference.staff import StaffReminders
from storage.database import Storage
from storage.models import Platform, TicketKind
from storage.types import Clock, utcnow

if TYPE_CHECKING:
    # A platform's modules are imported only when it is configured (see _build_messengers).
    from aiogram import Bot

    from bot.ops.pulse import Pulse
    from bot.telegram.runner import TelegramRunner
    from bot.vk.callback import CallbackEndpoint
    from bot.vk.factory import VkAdapter
    from bot.vk.longpoll import LongPollRunner

log = logging.getLogger(__name__)

TELEGRAM_WEBHOOK_PATH = "/telegram/webhook"
VK_CALLBACK_PATH = "/vk/callback"
SHUTDOWN_GRACE_SECONDS = 10.0


def service_config(settings: Settings) -> ServiceConfig:
    return ServiceConfig(
        library=LibraryProfile(
            name=settings.library_name,
            timezone=settings.library_timezone,
            working_hours=settings.library_working_hours,
            contacts=settings.library_contacts,
        ),
        policy=ReaderPolicy(
            retention_days=settings.retention_days,
            max_text_length=settings.max_text_length,
            flood_burst=settings.flood_burst,
            flood_period_seconds=settings.flood_period_seconds,
        ),
        staff_chat=settings.staff_chat,
        staff_members=frozenset((m.platform, m.peer_id) for m in settings.staff_user_ids),
        working_time=WorkingTime(
            timezone=settings.library_timezone,
            weekdays=settings.library_working_days,
            opens=settings.library_opens,
            closes=settings.library_closes,
            holidays_country=settings.holidays_country,
        ),
        loans=LoanPolicy(
            reminder_days=settings.loan_reminder_days,
            reminder_time=settings.loan_reminder_time,
        ),
        tickets=TicketPolicy(
            deadline_days={
                TicketKind.THEMATIC: settings.deadline_thematic_days,
                TicketKind.ADDRESS: settings.deadline_address_days,
                TicketKind.CLARIFYING: settings.deadline_clarifying_days,
                TicketKind.FACTOGRAPHIC: settings.deadline_factographic_days,
                TicketKind.OTHER: settings.deadline_other_days,
            },
            daily_limit=settings.daily_request_limit,
            thematic_max_titles=settings.thematic_max_titles,
            auto_close_days=settings.auto_close_days,
            untaken_reminder_minutes=settings.untaken_reminder_minutes,
            note_prefix=settings.note_prefix,
            max_relay_bytes=MAX_RELAY_BYTES,
        ),
    )


def weekly_schedule(settings: Settings) -> WeeklySchedule:
    at = settings.arrivals_weekly_digest_time
    return WeeklySchedule(settings.arrivals_weekly_digest_weekday, at.hour, at.minute)


def relay_notice(catalog: Catalog) -> Notice:
    """The line naming a file that could not be relayed, in the library's default language
    (relayed files go mostly to the staff chat)."""
    t = catalog.translator(catalog.default)
    limit_mb = MAX_RELAY_BYTES // (1024 * 1024)
    return lambda name, reason: t(reason, name=name, limit=limit_mb)


class Application:
    """Both platforms, the outbox sender and the scheduler, sharing one event loop.

    ``start`` applies the migrations and starts everything in the background; ``stop`` shuts
    it down in order: no new updates, handlers and sends in progress finish, then the
    connections close.
    """

    def __init__(
        self,
        settings: Settings,
        clock: Clock = utcnow,
        limiter_factory: Callable[[], Limiter] | None = None,
        arrivals: ArrivalSource | None = None,
        *,
        migrate: bool = True,
    ) -> None:
        """``clock`` is the one source of "now" for every layer, storage included (tests pass
        a clock of their own); ``limiter_factory`` makes the one rate limiter of each token
        (by default the settings choose a shared or an in-process one); ``arrivals`` is what
        digests and exhibitions are made of (the arrivals store unless a test gives its own);
        ``migrate=False`` when the schema was brought up to date beforehand (``python -m bot``
        does it in a child process, so that alembic does not stay in the bot's memory)."""
        self.settings = settings
        self.clock = clock
        self.ops = Operations(settings, clock, limiter_factory)
        self.web_port: int | None = None
        """The port the web server listens on (useful when ``WEB_PORT`` is 0)."""
        self.messengers: dict[Platform, Messenger] = {}
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._bot: Bot | None = None
        self._telegram_pulse: Pulse | None = None
        self._telegram: TelegramRunner | None = None
        self._vk: VkAdapter | None = None
        self._vk_poll: LongPollRunner | None = None
        self._vk_callback: CallbackEndpoint | None = None
        self._web: web.AppRunner | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._storage: Storage | None = None
        self._sender: OutboxSender | None = None
        self._reminders: StaffReminders | None = None
        self._ils: Ils | None = None
        self._loan_reminders: LoanReminders | None = None
        self._arrivals = arrivals
        self._publishing: Publishing | None = None
        self._migrate = migrate

    @property
    def storage(self) -> Storage:
        assert self._storage is not None, "the application is not started"
        return self._storage

    @property
    def reminders(self) -> StaffReminders:
        """The staff desk's periodic duties (the scheduler runs them; tests call them with a
        clock of their own)."""
        assert self._reminders is not None, "the application is not started"
        return self._reminders

    @property
    def loan_reminders(self) -> LoanReminders:
        """Readers' due-date reminders (the scheduler runs them daily; tests call them with a
        clock of their own)."""
        assert self._loan_reminders is not None, "the application is not started"
        return self._loan_reminders

    @property
    def publishing(self) -> Publishing:
        """Announcements: their jobs (tests run them with a clock of their own) and staff
        feature."""
        assert self._publishing is not None, "the application is not started"
        return self._publishing

    @property
    def scheduler(self) -> AsyncIOScheduler:
        """Started paused in every process; running only in the elected one."""
        assert self._scheduler is not None, "the application is not started"
        return self._scheduler

    @property
    def sender(self) -> OutboxSender:
        assert self._sender is not None, "the application is not started"
        return self._sender

    async def start(self) -> None:
        settings = self.settings
        url = settings.database_url.get_secret_value()
        if self._migrate:
            from storage.migrate import upgrade

            await upgrade(url)
        storage = self._storage = Storage.open(url, self.clock)
        self._ils = build_ils(settings, self.clock)
        self._build_messengers()
        catalog = Catalog(default=settings.default_language)
        config = service_config(settings)
        # The desk needs an outbox that wakes the sender, and the sender reports to the desk
        # what it sent: the closures break the cycle.
        outbox = NotifyingOutbox(storage.outbox, lambda: self.sender.notify())
        transactions = NotifyingTransactions(storage, lambda: self.sender.notify())
        publishing = self._publishing = Publishing.build(
            settings,
            storage=storage,
            outbox=outbox,
            arrivals=self._arrivals or StoredArrivals(storage.arrivals),
            catalog=catalog,
            messengers=self.messengers,
            bot=self._bot,
            limiter=self.ops.limiter(
                "vk", settings.vk_user_token.get_secret_value(), storage.engine
            ),
            clock=self.clock,
        )
        wiring = Wiring.over(
            storage,
            catalog=catalog,
            messengers=self.messengers,
            config=config,
            clock=self.clock,
            outbox=outbox,
            transactions=transactions,
            subjects=load_subjects(settings.arrivals_subjects_file),
            max_import_bytes=settings.arrivals_import_max_mb * 1024 * 1024,
            loans_transactions=transactions,
            ils=self._ils,
            publishing=publishing,
            weekly=weekly_schedule(settings),
        )
        desk = wiring.staff_desk()
        sender = self._sender = OutboxSender(
            storage.outbox,
            storage.readers,
            self.messengers,
            clock=self.clock,
            tuning=SenderTuning(lease_seconds=settings.outbox_lease_seconds),
            relay=AttachmentRelay(self.messengers, relay_notice(catalog)),
            on_sent=wiring.after_send(desk),
            before_send=desk.before_send,
            publishers=publishing.publishers,
            observe=send_observer(self.ops.metrics),
        )
        reader = wiring.reader_service(desk)
        staff = wiring.staff_service(desk)
        self._reminders = StaffReminders(
            desk=desk, tickets=storage.tickets, transactions=transactions, config=config
        )
        self._loan_reminders = wiring.loan_reminders()
        router = EventRouter(reader=reader.handle, staff=staff.handle, staff_chat=config.staff_chat)
        handle = self.ops.handler(router.handle)
        web_app = web.Application()
        await self._start_telegram(handle, web_app, catalog, reader.listed_commands)
        self._start_vk(handle, web_app)
        self.ops.mount(web_app, storage.engine)
        self._web = web.AppRunner(web_app, access_log=None)
        await self._web.setup()
        site = web.TCPSite(self._web, settings.web_host, settings.web_port)
        await site.start()
        self.web_port = self._web.addresses[0][1]
        log.info("serving HTTP on %s:%d", settings.web_host, self.web_port)
        self._spawn(sender.run(self._stop))
        self._scheduler = build_scheduler(
            storage,
            settings.library_timezone,
            settings.retention_days,
            self._reminders,
            loans=self._loan_reminders,
            loan_reminders_at=settings.loan_reminder_time,
            clock=self.clock,
        )
        if settings.arrivals_feed_url:
            poller = FeedPoller(
                settings.arrivals_feed_url,
                states=storage.arrivals,
                importer=ArrivalImporter(storage.arrivals, wiring.subjects),
                timeout_seconds=settings.arrivals_feed_timeout_seconds,
            )
            trigger = feed_trigger(
                settings.arrivals_feed_interval_minutes,
                settings.arrivals_feed_cron,
                settings.library_timezone,
            )
            add_feed_job(self._scheduler, poller, trigger)
        publishing.schedule(self._scheduler, settings)
        add_digest_jobs(
            self._scheduler,
            DigestPlanner(
                subscriptions=storage.subscriptions,
                arrivals=storage.arrivals,
                cursors=storage.cursors,
                outbox=storage.outbox,
                catalog=catalog,
                subjects=wiring.subjects,
                timezone=ZoneInfo(settings.library_timezone),
                clock=self.clock,
            ),
            interval_minutes=settings.arrivals_digest_interval_minutes,
            weekly=wiring.weekly,
            timezone=settings.library_timezone,
        )
        self._spawn(self.ops.elect(self._scheduler, storage.engine).run(self._stop))
        # The memory job store forgets a digest missed while the bot was down. Any process may
        # run the catch-up: the digest's run record and outbox keys make a second run add nothing.
        self._spawn(publishing.digest_job.run())
        log.info("started on %s", ", ".join(sorted(self.messengers)))

    def _build_messengers(self) -> None:
        settings = self.settings
        if settings.telegram_enabled:
            from bot.telegram.factory import create_bot
            from bot.telegram.messenger import TelegramMessenger

            # One limiter per token: every call made with it counts against the same limits.
            token = settings.telegram_bot_token.get_secret_value()
            limiter = self.ops.limiter("telegram", token, self.storage.engine)
            self._bot = create_bot(token, limiter, api_base=settings.telegram_api_base)
            polling = settings.telegram_mode is TelegramMode.POLLING
            self._telegram_pulse = self.ops.telegram_pulse(self._bot, polling=polling)
            self.messengers[Platform.TELEGRAM] = TelegramMessenger(self._bot)
        if settings.vk_enabled:
            from bot.vk.factory import VkAdapter

            self._vk = VkAdapter.create(
                settings.vk_group_token,
                base_url=settings.vk_api_base,
                version=settings.vk_api_version,
                limiter=self.ops.limiter(
                    "vk", settings.vk_group_token.get_secret_value(), self.storage.engine
                ),
            )
            self.messengers[Platform.VK] = self._vk.messenger

    async def _start_telegram(
        self,
        handle: Any,
        web_app: web.Application | None,
        catalog: Catalog,
        commands: Sequence[Command],
    ) -> None:
        if self._bot is None:
            return
        from bot.telegram.commands import publish_commands
        from bot.telegram.runner import TelegramRunner, start_webhook

        await publish_commands(self._bot, catalog, commands)
        runner = self._telegram = TelegramRunner(self._bot, handle)
        if self.settings.telegram_mode is TelegramMode.WEBHOOK and web_app is not None:
            secret = self.settings.telegram_webhook_secret.get_secret_value()
            runner.setup_webhook(web_app, path=TELEGRAM_WEBHOOK_PATH, secret=secret)
            await start_webhook(self._bot, self.settings.telegram_webhook_url, secret)
            self.ops.watch_loop("telegram", pulse=self._telegram_pulse)
        else:
            task = self._spawn(runner.run_polling(handle_signals=False, close_bot_session=False))
            self.ops.watch_loop("telegram", task, self._telegram_pulse)

    def _start_vk(self, handle: Any, web_app: web.Application | None) -> None:
        if self._vk is None:
            return
        group_id = self.settings.vk_group_id
        if self.settings.vk_mode is VkMode.CALLBACK and web_app is not None:
            self._vk_callback = self._vk.callback(
                handle,
                confirmation_code=self.settings.vk_confirmation_code,
                secret=self.settings.vk_callback_secret,
                group_id=group_id,
            )
            self._vk_callback.add_to(web_app, VK_CALLBACK_PATH)
        else:
            poll = self._vk_poll = self._vk.long_poll(
                handle, group_id=group_id, cursors=self.storage.cursors
            )
            self.ops.watch_loop("vk", self._spawn(poll.run()), failures=lambda: poll.failures)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coroutine)
        self._tasks.append(task)
        return task

    async def stop(self) -> None:
        """Stop taking updates, let work in progress finish, then close every connection."""
        self._stop.set()
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._telegram is not None:
            await self._telegram.stop_polling()
        if self._vk_poll is not None:
            await self._vk_poll.stop(grace=SHUTDOWN_GRACE_SECONDS)
        if self._vk_callback is not None:
            await self._vk_callback.close(grace=SHUTDOWN_GRACE_SECONDS)
        if self._web is not None:
            await self._web.cleanup()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=SHUTDOWN_GRACE_SECONDS)
            for task in pending:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    try:
                        await task
                    except Exception:
                        log.exception("a background task ended with an error")
        if self._bot is not None:
            await self._bot.session.close()
        if self._vk is not None:
            await self._vk.close()
        if self._ils is not None:
            await self._ils.close()
        if self._publishing is not None:
            await self._publishing.close()
        await self.ops.close()
        if self._storage is not None:
            await self._storage.close()
