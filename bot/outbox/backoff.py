"""Exponential back-off with jitter, so that rows failed together do not retry together."""

from __future__ import annotations

from collections.abc import Callable

_MAX_EXPONENT = 60


def backoff_delay(attempt: int, base: float, cap: float, random: Callable[[], float]) -> float:
    """Seconds to wait before retrying after failed try number ``attempt`` (1 for the first).

    The ceiling doubles with each attempt from ``base`` up to ``cap``; the delay is drawn
    between half the ceiling and the ceiling ("equal jitter"), so it never collapses to zero.
    ``random`` returns a float in [0, 1).
    """
    exponent = min(max(attempt, 1) - 1, _MAX_EXPONENT)
    ceiling = min(cap, base * 2.0**exponent)
    return ceiling / 2 + random() * ceiling / 2
