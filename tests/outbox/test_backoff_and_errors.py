"""The back-off curve, the tuning's checks and what a failure leaves in logs and rows."""

from __future__ import annotations

import pytest

from bot.outbox import SenderTuning
from bot.outbox.backoff import backoff_delay
from bot.outbox.errors import describe
from handlers.core.messenger import PermanentError, RetryAfter


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(1, 5.0), (2, 10.0), (3, 20.0), (6, 160.0), (7, 300.0), (10_000, 300.0)],
)
def test_backoff_doubles_up_to_the_cap(attempt: int, ceiling: float) -> None:
    assert backoff_delay(attempt, 5.0, 300.0, lambda: 0.0) == ceiling / 2
    assert backoff_delay(attempt, 5.0, 300.0, lambda: 0.999999) == pytest.approx(ceiling)


def test_jitter_spreads_the_delay_between_half_and_all_of_the_ceiling() -> None:
    assert backoff_delay(3, 5.0, 300.0, lambda: 0.5) == 15.0


@pytest.mark.parametrize(
    "wrong",
    [
        {"batch_size": 0},
        {"concurrency": 0},
        {"max_attempts": 0},
        {"max_attempts": 10, "max_retry_after_attempts": 5},
        {"lease_seconds": 0},
        {"poll_interval": -1},
        {"backoff_base": 0},
        {"backoff_base": 10, "backoff_cap": 5},
    ],
)
def test_nonsensical_tuning_is_refused(wrong: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        SenderTuning(**wrong)  # type: ignore[arg-type]


def test_delivery_errors_keep_their_message_without_tokens() -> None:
    error = PermanentError("POST /bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw5/sendMessage")
    assert describe(error) == "PermanentError: POST /bot<token>/sendMessage"
    assert describe(RetryAfter(3)) == "RetryAfter: retry after 3s"


def test_other_errors_keep_only_their_class_and_place() -> None:
    try:
        raise KeyError("reader's secret text")
    except KeyError as exc:
        described = describe(exc)
    assert described.startswith("KeyError at test_backoff_and_errors.py:")
    assert "secret" not in described
