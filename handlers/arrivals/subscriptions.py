"""The reader side of subject subscriptions: choose library subjects with toggle buttons,
choose how often to hear (as arrivals come, or a weekly digest), see what one is subscribed
to, and unsubscribe in one tap (a subject, by pressing it again, or everything).

Payloads: ``sub:home``, ``sub:pick:<page>``, ``sub:t:<code>:<page>`` (toggle a subject),
``sub:f:<frequency>``, ``sub:off`` (unsubscribe from everything). Subscriptions keep
personal data, so a reader without consent is asked for it first. Every subject code and
page number is checked: a forged or outdated button gets a clear answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.arrivals.paging import page_of, paged_rows
from handlers.arrivals.subjects import SubjectMap
from handlers.arrivals.subscription_ports import Subscriptions
from handlers.core.features import ReaderFeature
from handlers.core.menu import MENU_MAIN, menu_payload
from handlers.core.numbers import typed_number
from handlers.core.payloads import Payload, pack
from handlers.core.replies import Button
from handlers.core.turn import Turn
from storage.subscriptions import Frequency, Subscription

ACTION = "sub"
HOME = pack(ACTION, "home")
UNSUBSCRIBE_ALL = pack(ACTION, "off")
SUBJECTS_PER_PAGE = 6
"""Two per row; with the page buttons and «done» a page stays within VK's 10 inline buttons
in 6 rows."""


@dataclass(frozen=True, slots=True)
class WeeklySchedule:
    """When weekly digests go out, as readers are told: ISO weekday (1 is Monday) and
    time in the library's timezone."""

    weekday: int = 1
    hour: int = 10
    minute: int = 0


@dataclass(frozen=True, slots=True)
class SubscriptionDesk:
    subscriptions: Subscriptions
    subjects: SubjectMap
    weekly: WeeklySchedule = WeeklySchedule()
    back_item: str = "new"
    """The main-menu item «back» returns to: the new arrivals list."""

    def feature(self) -> ReaderFeature:
        return ReaderFeature(
            name="subscriptions",
            actions={ACTION: self._on_press},
            consent_actions=frozenset({ACTION}),
            button_only=frozenset({UNSUBSCRIBE_ALL}),
        )

    async def _on_press(self, turn: Turn, payload: Payload) -> None:
        kind, args = payload.arg(0), payload.args
        if kind == "home" and len(args) == 1:
            await self._show_home(turn)
        elif kind == "pick" and len(args) == 2 and (page := _number(args[1])) is not None:
            await self._show_subjects(turn, page)
        elif kind == "t" and len(args) == 3 and (page := _number(args[2])) is not None:
            await self._toggle(turn, args[1], page)
        elif kind == "f" and len(args) == 2 and args[1] in set(Frequency):
            await self._set_frequency(turn, Frequency(args[1]))
        elif kind == "off" and len(args) == 1:
            await self.subscriptions.unsubscribe_all(turn.reader.id)
            turn.say(turn.t("subs-all-off"))
            await self._show_home(turn)
        else:
            turn.say(turn.t("subs-stale"))
            await self._show_home(turn)

    async def _toggle(self, turn: Turn, code: str, page: int) -> None:
        subject = self.subjects.get(code)
        if subject is None:
            turn.say(turn.t("arrivals-unknown-subject"))
            await self._show_subjects(turn, 0)
            return
        now = await self.subscriptions.toggle(turn.reader.id, code)
        name = subject.name(turn.t.language)
        turn.say(
            turn.t("subs-subject-on" if code in now.subjects else "subs-subject-off", subject=name)
        )
        await self._show_subjects(turn, page, now)

    async def _set_frequency(self, turn: Turn, frequency: Frequency) -> None:
        await self.subscriptions.set_frequency(turn.reader.id, frequency)
        turn.say(turn.t("subs-frequency-set", frequency=self._frequency_text(turn, frequency)))
        await self._show_home(turn)

    async def _show_home(self, turn: Turn) -> None:
        mine = await self.subscriptions.get(turn.reader.id)
        rows: list[tuple[Button, ...]] = [(turn.button("subs-choose", pack(ACTION, "pick", "0")),)]
        if not mine.subjects:
            text = turn.t("subs-none")
        else:
            names = self.subjects.names(mine.subjects, turn.t.language)
            text = turn.t(
                "subs-summary",
                subjects=", ".join(names),
                frequency=self._frequency_text(turn, mine.frequency),
            )
            other = Frequency.WEEKLY if mine.frequency is Frequency.INSTANT else Frequency.INSTANT
            rows.append((turn.button(f"subs-switch-{other}", pack(ACTION, "f", str(other))),))
            rows.append((turn.button("subs-off-all", UNSUBSCRIBE_ALL),))
        rows.append(
            (
                turn.button("subs-back", menu_payload(self.back_item)),
                turn.button("back-to-menu", MENU_MAIN),
            )
        )
        turn.say(text, *rows)

    async def _show_subjects(self, turn: Turn, page: int, mine: Subscription | None = None) -> None:
        mine = mine or await self.subscriptions.get(turn.reader.id)
        every = self.subjects.subjects
        shown = page_of(every, page, SUBJECTS_PER_PAGE)
        if shown.stale:
            turn.say(turn.t("subs-stale"))
        buttons = [
            Button(
                turn.t(
                    "subs-subject-chosen" if s.code in mine.subjects else "subs-subject-free",
                    subject=s.name(turn.t.language),
                ),
                pack(ACTION, "t", s.code, str(shown.number)),
            )
            for s in shown.items
        ]
        rows = paged_rows(turn, buttons, shown, lambda n: pack(ACTION, "pick", str(n)))
        rows.append((turn.button("subs-done", HOME),))
        turn.say(turn.t("subs-pick-title"), *rows)

    def _frequency_text(self, turn: Turn, frequency: Frequency) -> str:
        if frequency is Frequency.INSTANT:
            return turn.t("subs-frequency-instant")
        return turn.t(
            "subs-frequency-weekly",
            weekday=turn.t(f"weekday-{self.weekly.weekday}"),
            time=f"{self.weekly.hour:02d}:{self.weekly.minute:02d}",
        )


def _number(raw: str) -> int | None:
    number = typed_number(raw)
    return number if number is not None and number < 1000 else None
