"""The staff side of announcements: approving digests, the content calendar, exhibitions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time
from zoneinfo import ZoneInfo

from handlers.core.events import AttachmentKind, Event
from handlers.core.features import StaffFeature
from handlers.core.i18n import Translator
from handlers.core.messenger import DeliveryError, Messenger
from handlers.core.numbers import typed_number
from handlers.core.payloads import Payload
from handlers.core.ports import Outbox
from handlers.core.replies import Reply
from handlers.core.staff_chat import answering, event_key
from handlers.publishing.arrivals import ArrivalSource
from handlers.publishing.calendar import CalendarPosts, is_calendar, load_csv, parse_when
from handlers.publishing.compose import clip, exhibition_post
from handlers.publishing.digests import DIGEST_ACTION, Digests
from handlers.publishing.ports import Calendar
from handlers.publishing.posts import Image, Poll, Post
from storage.models import Platform, StaffMember

POLL_QUESTION_LIMIT = 300
POLL_OPTION_LIMIT = 100
POLL_OPTIONS = (2, 10)
"""Telegram takes 1–12 answers of up to 100 characters, VK 1–10: both hold 2–10."""
EXHIBITION_MAX = 30
CSV_MAX_BYTES = 1024 * 1024


class Announcements:
    """Staff commands and presses of the announcements feature."""

    def __init__(
        self,
        *,
        digests: Digests,
        calendar: Calendar,
        posts: CalendarPosts,
        arrivals: ArrivalSource,
        messengers: Mapping[Platform, Messenger],
        outbox: Outbox,
        t: Translator,
        timezone: str,
        calendar_time: time,
        clock: Callable[[], datetime],
    ) -> None:
        self._digests = digests
        self._calendar = calendar
        self._posts = posts
        self._arrivals = arrivals
        self._messengers = messengers
        self._outbox = outbox
        self._t = t
        self._timezone = timezone
        self._calendar_time = calendar_time
        self._clock = clock

    def feature(self) -> StaffFeature:
        return StaffFeature(
            name="publishing",
            commands={
                "announce": self._help,
                "schedule": self._schedule,
                "poll": self._poll,
                "scheduled": self._list,
                "unschedule": self._unschedule,
                "exhibit": self._exhibit,
            },
            actions={DIGEST_ACTION: self._decide},
            messages=self._csv,
        )

    async def _help(self, event: Event, staff: StaffMember, argument: str) -> list[str]:
        return [self._t("pub-help")]

    async def _decide(self, event: Event, staff: StaffMember, payload: Payload) -> str:
        verb, run_id = payload.arg(0), typed_number(payload.arg(1) or "")
        if verb not in ("publish", "skip") or run_id is None:
            return self._t("desk-stale-button")
        return await self._digests.decide(run_id, verb == "publish", staff, event.message_id)

    async def _schedule(self, event: Event, staff: StaffMember, argument: str) -> list[str]:
        parsed = parse_when(argument, self._timezone)
        if parsed is None:
            return [self._t("pub-schedule-usage")]
        when, text = parsed
        photos = [a for a in event.attachments if a.kind is AttachmentKind.PHOTO and a.ref]
        images = tuple(Image(platform=a.platform, ref=a.ref) for a in photos[:1])
        if not text.strip() and not images:
            return [self._t("pub-schedule-usage")]
        post = Post(text=text.strip(), images=images)
        return [await self._add(when, post, "post", staff, self._clock())]

    async def _poll(self, event: Event, staff: StaffMember, argument: str) -> list[str]:
        parsed = parse_when(argument, self._timezone)
        if parsed is None:
            return [self._t("pub-poll-usage")]
        when, rest = parsed
        question, *options = [part.strip() for part in rest.split("|")]
        options = [o for o in options if o]
        low, high = POLL_OPTIONS
        if (
            not question
            or len(question) > POLL_QUESTION_LIMIT
            or not low <= len(options) <= high
            or any(len(o) > POLL_OPTION_LIMIT for o in options)
        ):
            return [self._t("pub-poll-usage")]
        post = Post(poll=Poll(question, tuple(options)))
        return [await self._add(when, post, "poll", staff, self._clock())]

    async def _exhibit(self, event: Event, staff: StaffMember, argument: str) -> list[str]:
        parsed = parse_when(argument, self._timezone)
        when, rest = parsed if parsed is not None else (None, argument)
        title, _, selection = rest.partition("|")
        selection = selection.strip()
        if not title.strip() or not selection:
            return [self._t("pub-exhibit-usage")]
        numbers = [typed_number(part) for part in selection.replace(",", " ").split()]
        if all(n is not None for n in numbers):
            ids = [n for n in numbers if n is not None][:EXHIBITION_MAX]
            arrivals = list(await self._arrivals.by_ids(ids))
        else:
            arrivals = list(await self._arrivals.by_subject(selection))[:EXHIBITION_MAX]
        if not arrivals:
            return [self._t("pub-exhibit-empty")]
        post = exhibition_post(self._t, clip(title.strip(), 200), arrivals)
        now = self._clock()
        answer = await self._add(when or now, post, "exhibition", staff, now)
        if when is None:
            await self._posts.post_due(now)
        return [answer]

    async def _add(
        self, when: datetime, post: Post, kind: str, staff: StaffMember, now: datetime
    ) -> str:
        if when < now:
            return self._t("pub-schedule-past")
        number = await self._calendar.add(when, post.to_dict(), kind, staff.name)
        local = when.astimezone(ZoneInfo(self._timezone))
        return self._t("pub-scheduled", number=number or 0, when=f"{local:%d.%m.%Y %H:%M}")

    async def _list(self, event: Event, staff: StaffMember, argument: str) -> list[str]:
        entries = await self._calendar.upcoming()
        if not entries:
            return [self._t("pub-list-empty")]
        lines = [self._t("pub-list-title")]
        for entry in entries:
            post = Post.from_dict(entry.post)
            summary = post.poll.question if post.poll else post.text.split("\n", 1)[0]
            local = entry.due_at.astimezone(ZoneInfo(self._timezone))
            lines.append(f"#{entry.id} {local:%d.%m.%Y %H:%M} [{entry.kind}] {clip(summary, 80)}")
        return ["\n".join(lines)]

    async def _unschedule(self, event: Event, staff: StaffMember, argument: str) -> list[str]:
        number = typed_number(argument.lstrip("#"))
        if number is None:
            return [self._t("pub-unschedule-usage")]
        if await self._calendar.cancel(number):
            return [self._t("pub-cancelled", number=number)]
        return [self._t("pub-not-scheduled", number=number)]

    async def _csv(self, event: Event, staff: StaffMember) -> bool:
        files = [
            a
            for a in event.attachments
            if a.kind is AttachmentKind.DOCUMENT and (a.file_name or "").lower().endswith(".csv")
        ]
        messenger = self._messengers.get(event.platform)
        if not files or messenger is None:
            return False
        attachment = files[0]
        if attachment.size is not None and attachment.size > CSV_MAX_BYTES:
            return False
        try:
            data = await messenger.download(attachment)
        except DeliveryError:
            await self._say(event, self._t("pub-csv-unavailable"))
            return True
        if not is_calendar(data):
            return False
        if len(data) > CSV_MAX_BYTES:
            await self._say(event, self._t("pub-csv-too-big"))
            return True
        result = await load_csv(
            data,
            self._calendar,
            now=self._clock(),
            timezone=self._timezone,
            post_time=self._calendar_time,
            created_by=staff.name,
        )
        rejected = ", ".join(f"{line} ({field})" for line, field in result.rejected[:20])
        summary = self._t(
            "pub-csv-loaded", added=result.added, repeated=result.repeated, rejected=rejected or "—"
        )
        await self._say(event, summary)
        return True

    async def _say(self, event: Event, text: str) -> None:
        reply = answering(Reply(text), event.thread_id, event.message_id)
        await self._outbox.enqueue(
            f"calendar-csv:{event_key(event)}", event.address, reply.to_dict()
        )
