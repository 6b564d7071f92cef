"""One reader turn is one unit of work: a few statements, and one transaction for its writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import Address, Direction, Platform
from tests.handlers.conftest import Desk
from tests.handlers.ticket_steps import consenting_reader, submit_question

READER = Address(Platform.TELEGRAM, 5151)
WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass
class Traffic:
    statements: list[str] = field(default_factory=list)
    commits: int = 0

    @property
    def writes(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith(WRITES)]


@contextmanager
def traffic(engine: AsyncEngine) -> Iterator[Traffic]:
    """Every statement the engine runs, and every transaction that commits, while inside."""
    seen = Traffic()

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.statements.append(statement)

    def on_commit(_conn: Any) -> None:
        seen.commits += 1

    target = engine.sync_engine
    event.listen(target, "before_cursor_execute", on_statement)
    event.listen(target, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", on_statement)
        event.remove(target, "commit", on_commit)


async def test_a_text_outside_any_flow_reads_twice_and_writes_in_one_transaction(
    desk: Desk,
) -> None:
    await consenting_reader(desk, READER)
    await desk.say(READER, "Есть ли у вас журнал «Кардиология»?")

    with traffic(desk.storage.engine) as seen:
        await desk.say(READER, "А за 2020 год?")

    assert seen.commits == 1, seen.statements
    assert len(seen.writes) == 2, "the dialog state and the log, each in one statement"
    assert len(seen.statements) <= 4, seen.statements
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

    with traffic(desk.storage.engine) as seen:
        await desk.say(READER, "И сколько выпусков в год?")

    assert seen.commits == 2, seen.statements


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
