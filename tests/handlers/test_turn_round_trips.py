"""One reader turn is one unit of work: a few statements, and one transaction for its writes."""

from __future__ import annotations

from typing import Any

import pytest

from storage.models import Address, Direction, Platform
from tests.handlers.conftest import Desk
from tests.handlers.ticket_steps import consenting_reader, submit_question
from tests.support.sqlite_calls import count_hand_offs, sqlite_statements, writes

READER = Address(Platform.TELEGRAM, 5151)


async def test_a_text_outside_any_flow_reads_twice_and_writes_in_one_transaction(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    await consenting_reader(desk, READER)

    async with sqlite_statements(desk.storage) as seen:
        # The first turn inside opens the (traced) connection; only the second is counted.
        await desk.say(READER, "Есть ли у вас журнал «Кардиология»?")
        seen.clear()
        counted = count_hand_offs(monkeypatch)
        await desk.say(READER, "А за 2020 год?")
        hand_offs = list(counted)

    # The turn's read, the open-ticket lookup and the turn's writes: one trip each to
    # SQLite's thread.
    assert hand_offs == ["fetch_one", "fetch_one", "write_all"]
    assert seen.count("COMMIT") == 1, seen
    assert [w.split(" (")[0] for w in writes(seen)] == [
        "INSERT INTO dialog_states",
        "INSERT INTO messages",
        "INSERT INTO messages",
    ], "the dialog state, then the log of the text and the answer"
    assert seen.index("BEGIN ") < seen.index(writes(seen)[0])
    reader = await desk.storage.readers.get(READER)
    assert reader is not None
    log = await desk.storage.conversations.history(reader.id)
    assert (log[-2].direction, log[-2].text) == (Direction.IN, "А за 2020 год?")
    assert log[-1].direction is Direction.OUT


async def test_a_follow_up_to_an_open_ticket_adds_only_its_own_transaction(desk: Desk) -> None:
    """The ticket's message and its staff-chat post commit together before the answer goes
    out (a crash must not leave one without the other); the turn's own writes are a second."""
    await consenting_reader(desk, READER)
    await submit_question(desk, READER, "Сколько лет журналу «Кардиология»?")

    async with sqlite_statements(desk.storage) as seen:
        await desk.say(READER, "И сколько выпусков в год?")

    assert seen.count("COMMIT") == 2, seen


async def test_a_failed_turn_still_logs_the_readers_text_and_keeps_the_state(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    await consenting_reader(desk, READER)
    reader = await desk.storage.readers.get(READER)
    assert reader is not None
    before = await desk.storage.dialogs.load(reader.id)

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("a feature broke")

    monkeypatch.setattr(desk.service, "_route", broken)
    answer = await desk.say(READER, "Текст, на котором всё сломалось")

    assert "Что-то пошло не так" in answer.text
    log = await desk.storage.conversations.history(reader.id)
    assert log[-1].direction is Direction.IN
    assert log[-1].text == "Текст, на котором всё сломалось"
    assert await desk.storage.dialogs.load(reader.id) == before
