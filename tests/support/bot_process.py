"""Runs ``python -m bot`` for a test: on the suite's moved clock, and optionally killed with
SIGKILL just before a chosen SQL statement.

A subprocess does not inherit the test process's moved clock; without ``--shift`` the bot
would live in today while the test's own storage writes in the test's future. The shift (how
far the suite's clock is ahead of the real one) rather than a destination moment keeps every
bot process on the suite's very clock, whenever each one gets to start its own. ``--die-before``
kills the process the moment a statement containing every given fragment (in its SQL or its
parameters) is about to run: a real kill -9 at an exact point of the bot's database work.
``--probe-every SECONDS --probe-log PATH`` adds a job to the bot's own scheduler that runs
every SECONDS (on a grid every process shares) and appends one line per run to PATH: this
process's id, ``ran`` and the run's scheduled time; and a line ``refused`` with the time
each time the process is refused the scheduler lock. Which process runs the scheduler is
the bot's own election; the lines show how often, and where, the job ran.

Usage: ``python bot_process.py [--shift SECONDS] [--die-before FRAGMENT]…
[--probe-every SECONDS --probe-log PATH] -- [bot args…]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import runpy
import signal
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import time_machine
from sqlalchemy import event
from sqlalchemy.engine import Engine


def _die_before(fragments: list[str]) -> None:
    def before_execute(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any
    ) -> None:
        seen = f"{statement} {parameters!r}"
        if all(fragment in seen for fragment in fragments):
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(Engine, "before_cursor_execute", before_execute)


PROBE_GRID_START = datetime(2000, 1, 1, tzinfo=UTC)
"""Every process's probe runs on one grid, so the same run has the same scheduled time."""


def _probe(every: float, log: Path) -> None:
    """Wrap the bot's scheduler factory so that the scheduler also runs the probe job."""
    from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    import bot.app
    import bot.scheduler
    from bot.ops.leader import Election

    build = bot.scheduler.build_scheduler

    async def probe() -> None:
        """The run itself does nothing; its effect is the line written when it ran."""

    def note(what: str, moment: datetime) -> None:
        with log.open("a", encoding="utf-8") as lines:
            stamp = moment.astimezone(UTC).isoformat(timespec="microseconds")
            lines.write(f"{os.getpid()} {what} {stamp}\n")

    def ran(event: JobExecutionEvent) -> None:
        if event.job_id == "probe":
            note("ran", event.scheduled_run_time)

    step = Election.step

    async def step_and_note(self: Election) -> None:
        before = self.refused_at
        await step(self)
        if self.refused_at is not None and self.refused_at != before:
            note("refused", self.refused_at)

    def build_with_probe(*args: Any, **kwargs: Any) -> AsyncIOScheduler:
        scheduler = build(*args, **kwargs)
        trigger = IntervalTrigger(seconds=every, start_date=PROBE_GRID_START, timezone=UTC)
        scheduler.add_job(probe, trigger, id="probe", misfire_grace_time=None)
        scheduler.add_listener(ran, EVENT_JOB_EXECUTED)
        return scheduler

    bot.app.build_scheduler = build_with_probe  # type: ignore[attr-defined]
    Election.step = step_and_note  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shift", type=float)
    parser.add_argument("--die-before", action="append", default=[])
    parser.add_argument("--probe-every", type=float)
    parser.add_argument("--probe-log", type=Path)
    options, bot_arguments = parser.parse_known_args()
    if options.die_before:
        _die_before(options.die_before)
    if options.probe_every:
        _probe(options.probe_every, options.probe_log)
    sys.argv = ["bot", *[a for a in bot_arguments if a != "--"]]
    travel = shifted_clock(options.shift) if options.shift is not None else contextlib.nullcontext()
    with travel:
        runpy.run_module("bot", run_name="__main__", alter_sys=True)


@contextlib.contextmanager
def shifted_clock(shift: float) -> Iterator[None]:
    """The wall clock ``shift`` seconds ahead of the real one, ticking, from the moment this
    is entered. time_machine starts a ticking clock at its first reading rather than at
    travel: a clock first read after the bot's imports would lag by as long as they took,
    and two processes' shared limiter windows would disagree by the difference."""
    with time_machine.travel(time.time() + shift, tick=True):
        time.time()
        yield


if __name__ == "__main__":
    main()
