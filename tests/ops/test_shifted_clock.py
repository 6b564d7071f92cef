"""The clock a test gives a bot process: exactly the suite's, however late the bot reads it."""

from __future__ import annotations

import time

from tests.support.bot_process import shifted_clock
from tests.support.processes import clock_shift

SHIFT = 3 * 365 * 86_400.0
FIRST_READ_AFTER = 0.5
"""Real seconds between entering the clock and its first reading, as a bot's imports take."""


def test_a_shifted_clock_keeps_its_shift_when_first_read_late() -> None:
    # Under a suite whose own clock is moved, the process's clock is ahead of that one.
    ahead = SHIFT + clock_shift()
    with shifted_clock(SHIFT):
        time.sleep(FIRST_READ_AFTER)  # real: time_machine does not patch sleep
        lag = ahead - clock_shift()
    # A clock started at its first reading would lag by the whole wait.
    assert abs(lag) < FIRST_READ_AFTER / 2, f"the moved clock lags by {lag:.3f} s"
