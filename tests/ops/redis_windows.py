"""Redis limiters for tests that delete the windows they used, and no other.

The test Redis database is shared: by the suite's other Redis tests, and by any other run of
the suite on the same machine. The two-process test's bots keep their live windows there; a
cleanup deleting every ``ratelimit:*`` key emptied those windows in the middle of the
thousand welcomes, and the bots, seeing room again, sent more than Telegram's 30 a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.ops.limiters import RedisRateLimiter, Window
from bot.ratelimit import Limit


class TrackedRedisLimiter(RedisRateLimiter):
    """Remembers the key of every window it counted in."""

    def __init__(self, redis: Any, namespace: str, **options: Any) -> None:
        super().__init__(redis, namespace, **options)
        self.keys: set[str] = set()

    def _windows(self, limits: Sequence[Limit]) -> list[Window]:
        windows = super()._windows(limits)
        self.keys.update(key for key, _, _ in windows)
        return windows


async def delete_windows(redis: Any, limiters: Iterable[TrackedRedisLimiter]) -> None:
    """Delete the windows these limiters used; ``redis`` is a ``redis.asyncio.Redis``."""
    keys = sorted({key for limiter in limiters for key in limiter.keys})
    if keys:
        await redis.delete(*keys)
