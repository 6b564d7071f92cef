"""A staff feature defined only in this test plugs into the real staff service: its command
and its button are answered next to the reference desk's, and clashes are refused."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from handlers.core.events import Event
from handlers.core.features import StaffFeature
from handlers.core.payloads import Payload
from storage.models import StaffMember
from tests.staff.conftest import DeskFactory


@dataclass
class ToyStaff:
    presses: list[tuple[str, int]] = field(default_factory=list)

    def feature(self) -> StaffFeature:
        return StaffFeature(
            name="toy",
            commands={"toy": self._command},
            actions={"toy": self._press},
        )

    async def _command(self, event: Event, staff: StaffMember, argument: str) -> list[str]:
        return [f"toy for {staff.name}: {argument}"]

    async def _press(self, event: Event, staff: StaffMember, payload: Payload) -> str:
        self.presses.append((payload.arg(0) or "", staff.user_id))
        return "toy pressed"


async def test_a_toy_staff_feature_answers_its_command_and_button(
    make_desk: DeskFactory,
) -> None:
    toy = ToyStaff()
    desk = await make_desk(extra=(toy.feature(),))

    await desk.staff_says("/toy  spin it ")
    assert desk.texts()[-1] == "toy for Мария Иванова: spin it"

    await desk.press("toy:spin")
    assert toy.presses == [("spin", 7001)]
    assert desk.staff_messenger.notices[-1] == "toy pressed"

    await desk.staff_says("/queue")
    assert desk.texts()[-1].startswith("Открытых запросов нет")


async def test_without_the_toy_its_command_gets_help_and_its_button_is_stale(
    make_desk: DeskFactory,
) -> None:
    desk = await make_desk()
    t = desk.catalog.translator(desk.catalog.default)

    await desk.staff_says("/toy")
    assert desk.texts()[-1] == t("desk-help", prefix=desk.config.tickets.note_prefix)

    await desk.press("toy:spin")
    assert desk.staff_messenger.notices[-1] == t("desk-stale-button")


@pytest.mark.parametrize(
    "clash",
    [
        StaffFeature(name="clash", commands={"queue": ToyStaff()._command}),
        StaffFeature(name="clash", actions={"st": ToyStaff()._press}),
    ],
)
async def test_a_staff_feature_claiming_what_another_owns_is_refused(
    make_desk: DeskFactory, clash: StaffFeature
) -> None:
    with pytest.raises(ValueError, match="claimed by two features"):
        await make_desk(extra=(clash,))
