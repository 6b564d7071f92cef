"""How tests start ``python -m bot`` as a real process, on the suite's clock."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import time_machine

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from tests.conftest import CLOCK_AT

BOT_PROCESS = Path(__file__).with_name("bot_process.py")


def bot_command(
    *arguments: str, die_before: Sequence[str] = (), probe: tuple[float, Path] | None = None
) -> list[str]:
    """The command line of ``python -m bot ARGUMENTS``. When the suite runs with its wall
    clock moved, the bot's clock is moved by as much, so that it reads what the suite's
    reads; ``die_before`` names fragments of the SQL statement before which the process
    kills itself with SIGKILL;
    ``probe`` (seconds, path) adds a scheduled job logging each of its runs to the path (see
    ``bot_process.py``)."""
    options: list[str] = []
    if probe is not None:
        every, log = probe
        options += ["--probe-every", str(every), "--probe-log", str(log)]
    if os.environ.get(CLOCK_AT, "").strip():
        options += ["--shift", repr(clock_shift())]
    for fragment in die_before:
        options += ["--die-before", fragment]
    if not options:
        return [sys.executable, "-m", "bot", *arguments]
    return [sys.executable, str(BOT_PROCESS), *options, "--", *arguments]


def clock_shift() -> float:
    """Seconds the suite's wall clock is ahead of the real one. A process given the shift
    keeps the very same clock as this one, and as every other such process: a moment
    passed as a destination would instead start each process's clock where it was when
    that process happened to start it, and two processes sharing time-based windows (the
    shared rate limiters) would then disagree by the difference of their start-up times."""
    real = (
        time_machine.escape_hatch.time.time()
        if time_machine.escape_hatch.is_travelling()
        else time.time()
    )
    return datetime.now(UTC).timestamp() - real


def run_bot_to_end(
    *arguments: str, cwd: Path, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot ARGUMENTS`` to its end and keep what it printed; a process still
    running after ``timeout`` seconds fails the test."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def bot_environment(
    database_url: str, telegram: FakeTelegramServer, vk: FakeVkServer, **variables: str
) -> dict[str, str]:
    """The environment of a bot process on both fakes: this process's own, less any
    platform, staff-chat or database setting of the developer's, plus ``variables``."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TELEGRAM_", "VK_", "STAFF_", "DATABASE_URL"))
    }
    return inherited | {
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_BASE": telegram.base_url,
        "VK_GROUP_TOKEN": vk.token,
        "VK_GROUP_ID": str(vk.group_id),
        "VK_API_BASE": vk.api_base,
        "LOG_LEVEL": "WARNING",
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": "0",
        **variables,
    }
