"""vkbottle's API with a configurable base URL, the shared rate limit and bounded retries."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp
from pydantic import SecretStr
from vkbottle import API
from vkbottle.http import AiohttpClient

from bot.ratelimit import Limit, Limiter, RateLimiter, vk_limits
from handlers.core.messenger import PermanentError, RetryAfter, TransientError

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.vk.ru/method/"
DEFAULT_API_VERSION = "5.199"

RATE_LIMIT_CODES = frozenset({6, 9, 29})
"""Too many requests per second, flood control, and the per-method daily quota."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait when VK answers a rate-limit error.

    ``delays`` is the first wait per error code; later waits grow linearly with the attempt.
    ``give_up_after`` is what ``RetryAfter.seconds`` suggests once the attempts are spent.
    """

    attempts: int = 3
    delays: Mapping[int, float] = field(default_factory=lambda: {6: 0.4, 9: 1.0, 29: 5.0})
    give_up_after: Mapping[int, float] = field(default_factory=lambda: {6: 1.0, 9: 10.0, 29: 60.0})

    def delay(self, code: int, attempt: int) -> float:
        return self.delays.get(code, 1.0) * attempt


class VkApi(API):
    """One community token's API client.

    Every method call waits for the token's ``RateLimiter`` (VK allows 20 requests/s per
    community token, so one limiter must serve every user of the token), and VK errors 6, 9
    and 29 are retried a bounded number of times before ``RetryAfter`` is raised. HTTP 5xx
    and network failures raise ``TransientError``; other VK errors propagate as vkbottle's
    ``VKAPIError`` for the caller to map.

    The token travels in the POST body, never in a URL, and nothing here logs request data.
    ``API_URL`` and ``API_VERSION`` are set on the instance, so other API objects keep theirs.
    """

    def __init__(
        self,
        token: str | SecretStr,
        *,
        base_url: str = DEFAULT_API_BASE,
        version: str = DEFAULT_API_VERSION,
        limiter: Limiter | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        limits: Callable[[], list[Limit]] = vk_limits,
    ) -> None:
        """``limits`` are the token's own: 20 requests/s for a community token, 3 for a
        user token."""
        secret = token.get_secret_value() if isinstance(token, SecretStr) else token
        self.http = AiohttpClient()
        super().__init__(token=secret, http_client=self.http)
        self.API_URL = base_url if base_url.endswith("/") else base_url + "/"
        self.API_VERSION = version
        self.limiter: Limiter = RateLimiter() if limiter is None else limiter
        self.retry = retry or RetryPolicy()
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._sleep = sleep
        self._limits = limits

    async def __aenter__(self) -> VkApi:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session."""
        await self.http_client.close()

    async def call(self, method: str, **params: Any) -> Any:
        """Call ``method`` and return the ``response`` part of VK's answer."""
        answer = await self.request(method, params)
        return answer["response"]

    async def request(
        self,
        method: str,
        data: dict[str, Any],
        version: str | None = None,
    ) -> dict[str, Any]:
        data = await self.validate_request(dict(data))
        attempt = 0
        while True:
            attempt += 1
            async with self.limiter.hold(self._limits()):
                answer = await self._post(method, data, version)
            code = _error_code(answer)
            if code not in RATE_LIMIT_CODES:
                result: dict[str, Any] = await self.validate_response(method, data, answer)
                return result
            assert code is not None
            if attempt >= self.retry.attempts:
                seconds = self.retry.give_up_after.get(code, 1.0)
                raise RetryAfter(seconds, f"VK error {code} on {method} after {attempt} attempts")
            delay = self.retry.delay(code, attempt)
            logger.warning("VK %s answered error %s; retrying in %.2fs", method, code, delay)
            await self._sleep(delay)

    async def _post(self, method: str, data: dict[str, Any], version: str | None) -> Any:
        async with self.token_generator as token:
            form = {key: str(value) for key, value in data.items()}
            form["access_token"] = token
            form["v"] = version or self.API_VERSION
        try:
            status, body = await self.fetch(self.API_URL + method, method="POST", data=form)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TransientError(f"VK {method}: {type(error).__name__}") from error
        if status == 429:
            raise RetryAfter(1.0, f"VK {method}: HTTP 429")
        if status >= 500:
            raise TransientError(f"VK {method}: HTTP {status}")
        if status != 200:
            raise PermanentError(f"VK {method}: HTTP {status}")
        try:
            return json.loads(body)
        except ValueError as error:
            raise TransientError(f"VK {method}: the answer is not JSON") from error

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        data: dict[str, str] | None = None,
        params: dict[str, str | int] | None = None,
        time_limit: aiohttp.ClientTimeout | None = None,
    ) -> tuple[int, bytes]:
        """One plain HTTP request on the API's session: the status and the whole body.

        Network failures raise aiohttp's errors; callers decide what they mean.
        """
        async with self.http.request(
            url, method, data, params=params, timeout=time_limit or self.timeout
        ) as response:
            return response.status, await response.read()


def _error_code(answer: Any) -> int | None:
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        code = answer["error"].get("error_code")
        return code if isinstance(code, int) else None
    return None
