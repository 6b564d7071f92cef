"""Staff-chat commands: the queue, a ticket's history, assigning, search, templates and
signatures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.core.config import ServiceConfig
from handlers.core.features import StaffCommandHandler
from handlers.core.i18n import Translator
from handlers.core.numbers import typed_number
from handlers.core.ports import StaffProfiles, Templates, Tickets
from handlers.reference.staff.assignment import Assignment
from handlers.reference.staff.cards import kind_name
from handlers.reference.staff.colleagues import matching
from handlers.reference.staff.formatting import duration, local_time, pack_lines, shorten
from handlers.reference.staff.history import transcript
from storage.models import StaffMember

SEARCH_LIMIT = 20
SNIPPET_LIMIT = 200
TEMPLATE_PREVIEW_LIMIT = 120
SIGNATURE_LIMIT = 200


class StaffCommands:
    """The desk's staff commands; each returns the texts to post in answer (several when
    long)."""

    def __init__(
        self,
        *,
        tickets: Tickets,
        templates: Templates,
        profiles: StaffProfiles,
        assignment: Assignment,
        config: ServiceConfig,
        t: Translator,
        clock: Callable[[], datetime],
    ) -> None:
        self._tickets = tickets
        self._templates = templates
        self._profiles = profiles
        self._assignment = assignment
        self._config = config
        self._t = t
        self._clock = clock

    def handlers(self) -> dict[str, StaffCommandHandler]:
        """The staff commands of the reference desk, by name."""
        return {
            "queue": lambda event, staff, argument: self._queue(),
            "ticket": lambda event, staff, argument: self._ticket(argument),
            "assign": lambda event, staff, argument: self._assign(staff, argument),
            "find": lambda event, staff, argument: self._find(argument),
            "templates": lambda event, staff, argument: self._templates_command(argument),
            "signature": lambda event, staff, argument: self._signature(staff, argument),
        }

    @property
    def _tz(self) -> str:
        return self._config.working_time.timezone

    async def _queue(self) -> list[str]:
        tickets = await self._tickets.queue()
        if not tickets:
            return [self._t("desk-queue-empty")]
        now = self._clock()
        lines = [self._t("desk-queue-title", count=len(tickets))]
        for ticket in tickets:
            deadline = local_time(ticket.deadline_at, self._tz)
            if now > ticket.deadline_at:
                deadline = self._t("desk-overdue-mark", deadline=deadline)
            lines.append(
                self._t(
                    "desk-queue-line",
                    number=ticket.id,
                    kind=kind_name(self._t, ticket.kind),
                    age=duration(now - ticket.created_at, self._t),
                    deadline=deadline,
                    assignee=ticket.assignee.name if ticket.assignee else "—",
                )
            )
        return pack_lines(lines)

    async def _ticket(self, argument: str) -> list[str]:
        number = typed_number(argument.lstrip("№#"))
        if number is None:
            return [self._t("desk-ticket-usage")]
        ticket = await self._tickets.get(number)
        if ticket is None:
            return [self._t("desk-no-such-ticket")]
        messages = await self._tickets.messages(ticket.id)
        events = await self._tickets.events(ticket.id)
        return transcript(ticket, messages, events, self._t, self._tz)

    async def _assign(self, staff: StaffMember, argument: str) -> list[str]:
        """``/assign N`` lists the colleagues; ``/assign N WHO`` hands ticket N to the one
        colleague ``WHO`` names (an id or the start of their name)."""
        parts = argument.split(maxsplit=1)
        number = typed_number(parts[0].lstrip("№#")) if parts else None
        if number is None:
            return [self._t("desk-assign-usage")]
        ticket = await self._tickets.get(number)
        if ticket is None:
            return [self._t("desk-no-such-ticket")]
        colleagues = await self._assignment.colleagues.all()
        if len(parts) < 2:
            return self._colleague_list(self._t("desk-assign-whom", number=ticket.id), colleagues)
        found = matching(colleagues, parts[1])
        if not found:
            return self._colleague_list(self._t("desk-assign-no-match", query=parts[1]), colleagues)
        if len(found) > 1:
            return self._colleague_list(self._t("desk-assign-ambiguous", query=parts[1]), found)
        return [await self._assignment.hand_over(ticket, found[0], staff)]

    def _colleague_list(self, title: str, colleagues: list[StaffMember]) -> list[str]:
        lines = [title]
        lines.extend(
            self._t("desk-colleague-line", id=member.user_id, name=member.name)
            for member in colleagues
        )
        if not colleagues:
            lines.append(self._t("desk-assign-nobody"))
        return pack_lines(lines)

    async def _find(self, argument: str) -> list[str]:
        if not argument:
            return [self._t("desk-find-usage")]
        found = await self._tickets.search(argument, SEARCH_LIMIT)
        if not found.hits:
            return [self._t("desk-find-nothing", query=argument)]
        lines = [self._t("desk-find-title", query=argument)]
        lines.extend(
            f"№{hit.ticket_id}: {shorten(hit.snippet, SNIPPET_LIMIT)}" for hit in found.hits
        )
        shown = len(found.hits)
        if found.more:
            lines.append(self._t("desk-find-newest-only", shown=shown, window=found.ranked))
        elif found.ranked > shown:
            lines.append(self._t("desk-find-best-only", shown=shown, matched=found.ranked))
        return pack_lines(lines)

    async def _templates_command(self, argument: str) -> list[str]:
        parts = argument.split(maxsplit=1)
        verb = parts[0].lower() if parts else ""
        rest = parts[1] if len(parts) > 1 else ""
        if verb == "add":
            title, bar, body = rest.partition("|")
            if not bar or not title.strip() or not body.strip():
                return [self._t("desk-templates-usage")]
            template = await self._templates.add(title.strip(), body.strip())
            return [self._t("desk-template-added", id=template.id, title=template.title)]
        if verb in ("del", "delete"):
            template_id = typed_number(rest)
            if template_id is None:
                return [self._t("desk-templates-usage")]
            if await self._templates.delete(template_id):
                return [self._t("desk-template-deleted", id=template_id)]
            return [self._t("desk-no-such-template")]
        if verb:
            return [self._t("desk-templates-usage")]
        templates = await self._templates.all()
        if not templates:
            return [self._t("desk-templates-none") + "\n\n" + self._t("desk-templates-usage")]
        lines = [self._t("desk-templates-title")]
        lines.extend(
            f"{template.id}. {template.title} — {shorten(template.text, TEMPLATE_PREVIEW_LIMIT)}"
            for template in templates
        )
        return pack_lines(lines)

    async def _signature(self, staff: StaffMember, argument: str) -> list[str]:
        if not argument:
            current = await self._profiles.signature(staff.platform, staff.user_id)
            return [self._t("desk-signature-current", signature=current or staff.name)]
        signature = shorten(argument, SIGNATURE_LIMIT)
        await self._profiles.set_signature(staff.platform, staff.user_id, signature)
        return [self._t("desk-signature-set", signature=signature)]
