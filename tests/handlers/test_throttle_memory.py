"""Flood control keeps only the readers heard from lately, on its own (controllable) clock."""

from __future__ import annotations

from handlers.core.throttle import Throttle, Verdict

PERIOD = 60.0


class Ticking:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_thousand_readers_over_an_hour_leave_only_the_recent_ones() -> None:
    clock = Ticking()
    throttle = Throttle(burst=3, period=PERIOD, clock=clock)
    most = 0
    for reader in range(5000):
        # About 83 new readers a minute, each writing twice.
        clock.now += 0.72
        assert throttle.check(f"telegram:{reader}") is Verdict.ALLOW
        assert throttle.check(f"telegram:{reader}") is Verdict.ALLOW
        most = max(most, len(throttle))

    readers_per_period = PERIOD / 0.72
    assert most <= 2 * readers_per_period + 1
    assert len(throttle) < 5000 / 10


def test_only_readers_quiet_for_a_whole_period_are_forgotten() -> None:
    clock = Ticking()
    throttle = Throttle(burst=2, period=PERIOD, clock=clock)
    assert [throttle.check("flooding") for _ in range(3)] == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.WARN,
    ]
    clock.now += PERIOD / 2
    assert throttle.check("flooding") is Verdict.DROP
    assert throttle.check("recent") is Verdict.ALLOW

    clock.now += PERIOD / 2 + 1
    throttle.check("newcomer")

    assert len(throttle) == 2, "the flooding reader's window emptied; the recent one's did not"
    assert throttle.check("flooding") is Verdict.ALLOW, "a forgotten reader starts afresh"
