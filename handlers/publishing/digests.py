"""Scheduled digests of new arrivals: what a run covers, and whether it waits for approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.core.i18n import Translator
from handlers.core.payloads import pack
from handlers.core.ports import EDIT_KEY, Outbox
from handlers.core.replies import Button, Reply
from handlers.publishing.announcer import Announcer
from handlers.publishing.arrivals import ArrivalSource
from handlers.publishing.compose import clip, digest_post
from handlers.publishing.ports import DigestRuns
from storage.models import Address, StaffMember
from storage.publishing import DigestRun, DigestStatus

DIGEST_ACTION = "digest"
CARD_PREVIEW = 3500
"""The digest as shown on the approval card, within one staff-chat message."""


@dataclass(frozen=True, slots=True)
class DigestPolicy:
    timezone: str
    approval: bool
    first_period: timedelta = timedelta(days=7)
    """What the very first digest covers, having no previous one to start from."""


class Digests:
    """Runs the digest of one scheduled time, once, however often it is asked to."""

    def __init__(
        self,
        runs: DigestRuns,
        arrivals: ArrivalSource,
        announcer: Announcer,
        outbox: Outbox,
        staff_chat: Address | None,
        t: Translator,
        policy: DigestPolicy,
    ) -> None:
        self._runs = runs
        self._arrivals = arrivals
        self._announcer = announcer
        self._outbox = outbox
        self._staff_chat = staff_chat
        self._t = t
        self._policy = policy

    def key(self, scheduled_for: datetime) -> str:
        """``digest:2026-11-23T10:00``, the run's time in the library's time zone."""
        local = scheduled_for.astimezone(ZoneInfo(self._policy.timezone))
        return f"digest:{local:%Y-%m-%dT%H:%M}"

    async def run(self, scheduled_for: datetime) -> DigestRun:
        """Post (or offer for approval) the arrivals added since the previous digest."""
        run = await self._runs.get(scheduled_for)
        if run is None:
            since = await self._runs.last_until(scheduled_for)
            if since is None:
                since = scheduled_for - self._policy.first_period
            arrivals = await self._arrivals.added_between(since, scheduled_for)
            if not arrivals:
                status = DigestStatus.EMPTY
            elif self._policy.approval and self._staff_chat is not None:
                status = DigestStatus.AWAITING
            else:
                status = DigestStatus.PUBLISHED
            ids = [a.id for a in arrivals]
            run = await self._runs.create(scheduled_for, since, scheduled_for, ids, status)
            run = run or await self._runs.get(scheduled_for)
            assert run is not None
        if run.status is DigestStatus.PUBLISHED:
            await self._publish(run)
        elif run.status is DigestStatus.AWAITING:
            await self._offer(run)
        return run

    async def decide(self, run_id: int, publish: bool, staff: StaffMember, card: int | None) -> str:
        """A staff member's Publish or Skip; returns the notice for the presser."""
        run = await self._runs.get_by_id(run_id)
        if run is None:
            return self._t("pub-digest-gone")
        status = DigestStatus.PUBLISHED if publish else DigestStatus.SKIPPED
        if not await self._runs.decide(run_id, status, staff.name):
            settled = await self._runs.get_by_id(run_id)
            who = settled.decided_by if settled and settled.decided_by else "?"
            return self._t("pub-digest-already", name=who)
        run = await self._runs.get_by_id(run_id)
        assert run is not None
        if publish:
            await self._publish(run)
        await self._show_decision(run, card)
        return self._t("pub-digest-published" if publish else "pub-digest-skipped")

    async def _publish(self, run: DigestRun) -> None:
        post = digest_post(self._t, await self._arrivals.by_ids(run.arrival_ids))
        await self._announcer.announce(self.key(run.scheduled_for), post)

    async def _offer(self, run: DigestRun) -> None:
        assert self._staff_chat is not None
        buttons = (
            (
                Button(self._t("pub-button-publish"), pack(DIGEST_ACTION, "publish", str(run.id))),
                Button(self._t("pub-button-skip"), pack(DIGEST_ACTION, "skip", str(run.id))),
            ),
        )
        reply = Reply(await self._card(run), buttons=buttons)
        await self._outbox.enqueue(
            f"{self.key(run.scheduled_for)}:approval", self._staff_chat, reply.to_dict()
        )

    async def _show_decision(self, run: DigestRun, card: int | None) -> None:
        if self._staff_chat is None:
            return
        verdict = (
            "pub-card-published" if run.status is DigestStatus.PUBLISHED else "pub-card-skipped"
        )
        text = f"{await self._card(run)}\n\n{self._t(verdict, name=run.decided_by or '')}"
        payload = Reply(text).to_dict()
        if card is not None:
            payload[EDIT_KEY] = card
        await self._outbox.enqueue(
            f"{self.key(run.scheduled_for)}:decision", self._staff_chat, payload
        )

    async def _card(self, run: DigestRun) -> str:
        post = digest_post(self._t, await self._arrivals.by_ids(run.arrival_ids))
        head = self._t("pub-card-title", count=len(run.arrival_ids))
        return f"{head}\n\n{clip(post.text, CARD_PREVIEW)}" if post.text else head
