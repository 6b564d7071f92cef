"""How tests start ``python -m bot`` as a real process, on the suite's clock."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import CLOCK_AT

BOT_PROCESS = Path(__file__).with_name("bot_process.py")


def bot_command(*arguments: str, die_before: Sequence[str] = ()) -> list[str]:
    """The command line of ``python -m bot ARGUMENTS``. When the suite runs with its wall
    clock moved, the bot's clock starts where the suite's clock is now; ``die_before`` names
    fragments of the SQL statement before which the process kills itself with SIGKILL."""
    options: list[str] = []
    if os.environ.get(CLOCK_AT, "").strip():
        options += ["--at", datetime.now(UTC).isoformat()]
    for fragment in die_before:
        options += ["--die-before", fragment]
    if not options:
        return [sys.executable, "-m", "bot", *arguments]
    return [sys.executable, str(BOT_PROCESS), *options, "--", *arguments]
