"""A feature defined only in this test plugs into the real reader service: its command, its
button and its main-menu entry are answered, and no core file names it."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from handlers.core.features import Command, MenuEntry, ReaderFeature
from handlers.core.forms import FORM_ACTION
from handlers.core.i18n import Catalog
from handlers.core.menu import MAIN_ITEM, MENU_ACTION
from handlers.core.payloads import Payload, pack
from handlers.core.reader_service import ReaderService
from handlers.core.replies import Reply
from handlers.core.turn import Turn
from storage.models import Address, Platform
from tests.handlers.conftest import Desk, build_service

READER = Address(Platform.TELEGRAM, 4343)
SPIN = pack("toy", "spin", "3")
CORE = Path(__file__).parents[2] / "handlers" / "core"


@dataclass
class Toy:
    """Remembers what it was asked to do, so the test sees the press reach it."""

    spins: list[str] = field(default_factory=list)

    def feature(self) -> ReaderFeature:
        return ReaderFeature(
            name="toy",
            commands=(Command("toy", self._hello, aliases=("spin",), description="toy-command"),),
            actions={"toy": self._spin},
            menu=(MenuEntry("toy", "toy-menu-label", row=35, run=self._from_menu),),
        )

    async def _hello(self, turn: Turn) -> None:
        turn.say("toy: hello", (turn.button("toy-spin-label", SPIN),))

    async def _spin(self, turn: Turn, payload: Payload) -> None:
        self.spins.append(payload.arg(1) or "")
        turn.say(f"toy: spun {payload.arg(1)} times")

    async def _from_menu(self, turn: Turn) -> None:
        turn.say("toy: from the menu")


def _service(desk: Desk, extra: list[ReaderFeature]) -> ReaderService:
    return build_service(
        desk.storage,
        desk.telegram,
        desk.vk,
        staff_desk=desk.staff_desk,
        clock=desk.clock,
        extra=extra,
    )


def _payloads(reply: Reply) -> list[str]:
    return [button.payload for button in reply.flat_buttons()]


async def test_a_toy_feature_answers_its_command_button_and_menu_entry(desk: Desk) -> None:
    toy = Toy()
    desk.service = _service(desk, [toy.feature()])

    welcome = await desk.say(READER, "/start")
    assert _payloads(welcome)[-3:] == ["menu:new", "menu:toy", "menu:settings"]

    hello = await desk.say(READER, "/toy")
    assert hello.text == "toy: hello"
    assert _payloads(hello) == [SPIN]
    assert (await desk.say(READER, "/spin")).text == "toy: hello"

    spun = await desk.press(READER, SPIN)
    assert spun.text == "toy: spun 3 times"
    assert toy.spins == ["3"]

    from_menu = await desk.press(READER, "menu:toy")
    assert from_menu.text == "toy: from the menu"
    assert [command.name for command in desk.service.listed_commands][-1] == "toy"


async def test_without_the_toy_its_command_and_buttons_are_refused(desk: Desk) -> None:
    desk.service = _service(desk, [])
    await desk.say(READER, "/start")

    unknown = Catalog().translator("ru")("unknown-command")
    assert (await desk.say(READER, "/toy")).text == unknown
    for payload in (SPIN, "menu:toy"):
        refused = await desk.press(READER, payload)
        assert "menu:settings" in _payloads(refused)
        assert "toy" not in refused.text


async def test_the_toy_keeps_refusing_payloads_that_are_not_its_own(desk: Desk) -> None:
    toy = Toy()
    desk.service = _service(desk, [toy.feature()])
    await desk.say(READER, "/start")

    for forged in ("toys:spin:3", "toy:spin:3:4:5:6", "toy:sp!n"):
        refused = await desk.press(READER, forged)
        assert "menu:settings" in _payloads(refused), forged
    assert toy.spins == []


@pytest.mark.parametrize(
    "clash",
    [
        ReaderFeature(name="clash", commands=(Command("start", Toy()._hello),)),
        ReaderFeature(name="clash", actions={"consent": Toy()._spin}),
        ReaderFeature(name="clash", actions={"menu": Toy()._spin}),
        ReaderFeature(name="clash", menu=(MenuEntry("ask", "x", row=1, run=Toy()._from_menu),)),
        ReaderFeature(name="clash", menu=(MenuEntry("main", "x", row=1, run=Toy()._from_menu),)),
    ],
)
async def test_a_feature_claiming_what_another_owns_is_refused_at_start(
    desk: Desk, clash: ReaderFeature
) -> None:
    with pytest.raises(ValueError, match=r"claimed|belongs"):
        _service(desk, [clash])


def test_no_core_file_imports_a_feature_package() -> None:
    for path in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("handlers"):
                assert node.module == "handlers.core" or (node.module or "").startswith(
                    "handlers.core."
                ), f"{path.name} imports {node.module}"


def test_the_dispatchers_spell_out_no_feature_name(desk: Desk) -> None:
    features = desk.service.features
    names = {
        name
        for feature in features
        for name in (
            *(c.name for c in feature.commands),
            *(alias for c in feature.commands for alias in c.aliases),
            *feature.actions,
            *(entry.item for entry in feature.menu),
            *feature.forms,
            *(flow for flow in feature.flows if flow is not None),
        )
    }
    assert {"start", "forget", "ask", "tk", "renew", "new", "settings", "tk_add"} <= names
    # The core's own payload words; «/menu» is also a command that shows the same menu.
    names -= {MENU_ACTION, MAIN_ITEM, FORM_ACTION}
    for dispatcher in ("reader_service.py", "staff_service.py", "registry.py", "menu.py"):
        tree = ast.parse((CORE / dispatcher).read_text())
        strings = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        assert not strings & names, dispatcher
