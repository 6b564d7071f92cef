"""The knobs of the outbox sender, with defaults that suit one machine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SenderTuning:
    """How much the sender takes at once and how patiently it retries.

    ``attempts`` on a row counts every reschedule, whatever its cause, because the storage
    port keeps one counter. A transient failure gives up once a row has been tried
    ``max_attempts`` times; a flood-wait (``RetryAfter``) is allowed more tries,
    ``max_retry_after_attempts``, since the platform told us exactly when to come back.

    ``lease_seconds`` must comfortably exceed one send, including the adapters' own inline
    429 retries: a row whose lease runs out is claimed again, and a send is only started
    while at least half of its lease remains.
    """

    batch_size: int = 50
    lease_seconds: float = 120.0
    poll_interval: float = 2.0
    max_attempts: int = 8
    max_retry_after_attempts: int = 30
    backoff_base: float = 5.0
    backoff_cap: float = 900.0
    concurrency: int = 16
    """How many addresses are served at once."""
    per_address: int = 5
    """The most rows one claim takes for one address. A chain of them must comfortably fit in
    half a lease even at the slowest pace a destination allows (a group chat: 20 a minute)."""
    park_seconds: float = 300.0
    """How long a row waits when no messenger is configured for its platform."""

    def __post_init__(self) -> None:
        if min(self.batch_size, self.concurrency, self.per_address) < 1:
            raise ValueError("batch_size, concurrency and per_address must be at least 1")
        if self.max_attempts < 1 or self.max_retry_after_attempts < self.max_attempts:
            raise ValueError("need 1 <= max_attempts <= max_retry_after_attempts")
        if min(self.lease_seconds, self.poll_interval, self.park_seconds) <= 0:
            raise ValueError("lease_seconds, poll_interval and park_seconds must be positive")
        if self.backoff_base <= 0 or self.backoff_cap < self.backoff_base:
            raise ValueError("need 0 < backoff_base <= backoff_cap")
