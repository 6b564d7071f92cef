"""How tests start ``python -m bot`` as a real process, on the suite's clock."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import CLOCK_AT

SHIFTED_CLOCK = Path(__file__).with_name("shifted_clock.py")


def bot_command(*arguments: str) -> list[str]:
    """The command line of ``python -m bot ARGUMENTS``; when the suite runs with its wall
    clock moved, the bot's clock starts where the suite's clock is now."""
    if os.environ.get(CLOCK_AT, "").strip():
        now = datetime.now(UTC).isoformat()
        return [sys.executable, str(SHIFTED_CLOCK), now, *arguments]
    return [sys.executable, "-m", "bot", *arguments]
