"""Runs ``python -m bot`` with its wall clock moved, for a suite running under TEST_CLOCK_AT.

A subprocess does not inherit the test process's moved clock; without this the bot would live
in today while the test's own storage writes in the test's future.

Usage: ``python shifted_clock.py ISO-DATETIME [bot arguments…]``.
"""

from __future__ import annotations

import runpy
import sys
from datetime import datetime

import time_machine


def main() -> None:
    moment = datetime.fromisoformat(sys.argv[1])
    sys.argv = ["bot", *sys.argv[2:]]
    with time_machine.travel(moment, tick=True):
        runpy.run_module("bot", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
