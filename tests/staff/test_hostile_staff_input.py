"""Hostile staff input (odd commands, odd numbers, lone surrogates, NUL) is answered and
never ends in a failed staff event."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.models import Address, Platform
from tests.handlers.hostile_strategies import hostile_text
from tests.staff.conftest import DeskFactory

READER = Address(Platform.TELEGRAM, 111)
FAILED = "staff event failed"

NOT_COMMANDS = ["/", "/ ", "/\u00a0", "/\u3000", "/\n", "/ queue"]
"""A slash followed by nothing or whitespace: chatter in the staff chat, not a command."""

ODD_COMMANDS = [
    "//",
    "/queue@otherbot",
    "/ticket ²",
    "/ticket ١",
    "/ticket 99999999999999999999999",
    "/ticket " + "9" * 5000,
    "/ticket -1",
    "/templates del ²",
    "/templates del 99999999999999999999999",
    "/templates add \ud800 | \x00 text",
    "/find \ud800",
    "/find \x00",
    "/find " + "ы" * 5000,
    "/signature \ud800\x00",
]


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if FAILED in r.getMessage()]


@pytest.mark.parametrize("command", ODD_COMMANDS)
async def test_odd_staff_commands_are_answered(
    make_desk: DeskFactory, caplog: pytest.LogCaptureFixture, command: str
) -> None:
    desk = await make_desk()
    await desk.open_ticket(await desk.reader(READER))
    posts_before = len(desk.staff_posts())

    with caplog.at_level(logging.ERROR):
        await desk.staff_says(command)

    assert failures(caplog) == []
    assert len(desk.staff_posts()) == posts_before + 1


@pytest.mark.parametrize("text", NOT_COMMANDS)
async def test_a_slash_and_whitespace_is_chatter_not_a_command(
    make_desk: DeskFactory, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    desk = await make_desk()
    await desk.open_ticket(await desk.reader(READER))
    posts_before = len(desk.staff_posts())

    with caplog.at_level(logging.ERROR):
        await desk.staff_says(text)

    assert failures(caplog) == []
    assert len(desk.staff_posts()) == posts_before


async def test_an_answer_with_a_lone_surrogate_reaches_the_reader(
    make_desk: DeskFactory, caplog: pytest.LogCaptureFixture
) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))

    with caplog.at_level(logging.ERROR):
        await desk.staff_says("Список \ud800 готов\x00", reply_to=1, name="Мария\udfff")

    assert failures(caplog) == []
    [answer] = desk.telegram.replies_to(READER)
    assert "Список \ufffd готов\ufffd" in answer.text
    assert "Мария\ufffd" in answer.text
    stored = (await desk.storage.tickets.messages(ticket.id))[-1]
    assert stored.text == "Список \ufffd готов\ufffd"


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(texts=st.lists(st.tuples(hostile_text, st.booleans()), min_size=1, max_size=8))
async def test_no_staff_text_fails_the_staff_event(
    make_desk: DeskFactory, caplog: pytest.LogCaptureFixture, texts: list[tuple[str, bool]]
) -> None:
    """Staff texts as commands, as answers to the ticket (a reply to its card, message 1)
    and as chatter; none may fail."""
    desk = await make_desk()
    await desk.open_ticket(await desk.reader(READER))
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        for text, as_answer in texts:
            await desk.staff_says(text, reply_to=1 if as_answer else None)
    assert failures(caplog) == [], texts
