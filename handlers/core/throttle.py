"""Per-reader flood control."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"
    """Over the limit for the first time in this window: tell the reader once."""
    DROP = "drop"


class Throttle:
    """Allows ``burst`` events per ``period`` seconds per key.

    It is in-process on purpose: flood control only has to be roughly right, and losing it on
    restart harms nobody. It keeps only readers heard from lately: once a period, ``check``
    sweeps out those whose window has emptied, so memory follows the readers active in the
    last two periods, not every reader ever seen.
    """

    def __init__(
        self, burst: int, period: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._burst = burst
        self._period = period
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._warned: set[str] = set()
        self._next_sweep = clock() + period

    def __len__(self) -> int:
        """How many readers it keeps track of."""
        return len(self._events)

    def check(self, key: str) -> Verdict:
        now = self._clock()
        if now >= self._next_sweep:
            self.sweep()
        window = self._events.setdefault(key, deque())
        while window and window[0] <= now - self._period:
            window.popleft()
        if len(window) < self._burst:
            window.append(now)
            self._warned.discard(key)
            return Verdict.ALLOW
        if key in self._warned:
            return Verdict.DROP
        self._warned.add(key)
        return Verdict.WARN

    def sweep(self) -> None:
        """Forget idle keys so memory does not grow with the number of readers."""
        now = self._clock()
        self._next_sweep = now + self._period
        cutoff = now - self._period
        for key in [k for k, w in self._events.items() if not w or w[-1] <= cutoff]:
            del self._events[key]
            self._warned.discard(key)
