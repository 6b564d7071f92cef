"""The reader's reminder settings: how many days before a due date, or none at all."""

from __future__ import annotations

from handlers.core.config import ServiceConfig
from handlers.core.features import ReaderFeature
from handlers.core.i18n import days_count
from handlers.core.menu import MENU_MAIN, refuse_button
from handlers.core.payloads import Payload
from handlers.core.replies import Button
from handlers.core.turn import Turn
from handlers.loans.buttons import LINK, LOANS_MENU
from handlers.loans.ports import LibraryCards
from handlers.loans.reminders.choices import ACTION, OFF, ON, choices, set_payload


class ReminderSettings:
    """The "Reminders" screen, reached from My loans and from each reminder."""

    def __init__(self, *, cards: LibraryCards, config: ServiceConfig, manual: bool) -> None:
        """``manual``: no circulation system, so reminders only come for dates staff
        renewed a request until."""
        self._cards = cards
        self._config = config
        self._manual = manual

    def feature(self) -> ReaderFeature:
        return ReaderFeature(
            name="loan-reminders",
            actions={ACTION: self._press},
            consent_actions=frozenset({ACTION}),
        )

    async def _press(self, turn: Turn, payload: Payload) -> None:
        what = payload.arg(0)
        if what == "show":
            await self._show(turn)
        elif what == "set" and (days := _days(payload.arg(1))) in self._choices:
            await self._set(turn, days)
        elif what == "off":
            await self._set(turn, None)
        elif what == "on":
            await self._set(turn, self._config.loans.reminder_days)
        else:
            refuse_button(turn)

    @property
    def _choices(self) -> tuple[int, ...]:
        return choices(self._config.loans.reminder_days)

    async def _set(self, turn: Turn, days: int | None) -> None:
        if not await self._cards.set_reminder_days(turn.reader.id, days):
            await self._show(turn)
            return
        text_id = "loan-reminders-saved-off" if days is None else "loan-reminders-saved"
        turn.say(turn.t(text_id, days=days_count(turn.t, days or 0)))
        await self._show(turn)

    async def _show(self, turn: Turn) -> None:
        card = await self._cards.get(turn.reader.id)
        if card is None:
            turn.say(
                turn.t("loan-reminders-no-card"),
                (turn.button("loans-link", LINK),),
                (turn.button("back-to-menu", MENU_MAIN),),
            )
            return
        at = self._config.loans.reminder_time.strftime("%H:%M")
        what = "loan-reminders-what-manual" if self._manual else "loan-reminders-what"
        lines = [turn.t(what, time=at)]
        rows: list[tuple[Button, ...]] = []
        if card.reminder_days is None:
            lines.append(turn.t("loan-reminders-now-off"))
            rows.append((turn.button("loan-reminders-on", ON),))
        else:
            lines.append(turn.t("loan-reminders-now", days=days_count(turn.t, card.reminder_days)))
            rows.append(
                tuple(
                    Button(_choice_label(turn, days, card.reminder_days), set_payload(days))
                    for days in self._choices
                )
            )
            rows.append((turn.button("loan-reminders-off", OFF),))
        rows.append((turn.button("loans-back", LOANS_MENU),))
        rows.append((turn.button("back-to-menu", MENU_MAIN),))
        turn.say("\n\n".join(lines), *rows)


def _choice_label(turn: Turn, days: int, current: int) -> str:
    label = turn.t("loan-reminders-choice", days=days_count(turn.t, days))
    return turn.t("loan-reminders-chosen", label=label) if days == current else label


def _days(raw: str | None) -> int | None:
    if raw is None or not raw.isdigit() or len(raw) > 2:
        return None
    return int(raw)
