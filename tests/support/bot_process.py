"""Runs ``python -m bot`` for a test: on the suite's moved clock, and optionally killed with
SIGKILL just before a chosen SQL statement.

A subprocess does not inherit the test process's moved clock; without ``--at`` the bot would
live in today while the test's own storage writes in the test's future. ``--die-before``
kills the process the moment a statement containing every given fragment (in its SQL or its
parameters) is about to run: a real kill -9 at an exact point of the bot's database work.

Usage: ``python bot_process.py [--at ISO-DATETIME] [--die-before FRAGMENT]… -- [bot args…]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import runpy
import signal
import sys
from datetime import datetime
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--at", type=datetime.fromisoformat)
    parser.add_argument("--die-before", action="append", default=[])
    options, bot_arguments = parser.parse_known_args()
    if options.die_before:
        _die_before(options.die_before)
    sys.argv = ["bot", *[a for a in bot_arguments if a != "--"]]
    travel = time_machine.travel(options.at, tick=True) if options.at else contextlib.nullcontext()
    with travel:
        runpy.run_module("bot", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
