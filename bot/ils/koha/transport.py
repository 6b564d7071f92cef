"""HTTP to Koha's /api/v1: a timeout on every request, bounded retries, one re-sign-in on 401.

Nothing here logs or raises request data: query strings carry card numbers and one body
carries a reader's password, so log lines and ``IlsUnavailable`` name the method and the
route template only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.ils.koha.auth import KohaAuth
from handlers.loans.ils import IlsUnavailable

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

API_PREFIX = "/api/v1"


@dataclass(frozen=True, slots=True)
class KohaResponse:
    status: int
    body: Any
    """The decoded JSON answer; None when Koha sent none (or not JSON)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``retries`` more attempts after the first, waiting ``backoff * 2**n`` (at most ``cap``)."""

    retries: int = 2
    backoff: float = 0.5
    cap: float = 8.0

    def delay(self, attempt: int) -> float:
        return float(min(self.cap, self.backoff * 2**attempt))


class KohaTransport:
    """One Koha server's API, signed by the bot's account.

    ``request`` returns every answer below 500 as it came (a 403 refusal is a result, not an
    error) except a 401, which makes it sign in again once. Network errors, timeouts and
    5xx answers are retried under ``retry``; when the attempts are spent it raises
    ``IlsUnavailable``. The session is opened on first use and again after ``close``.
    """

    def __init__(
        self,
        base_url: str,
        auth: KohaAuth,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._base = base_url.rstrip("/") + API_PREFIX
        self._auth = auth
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def request(
        self,
        method: str,
        route: str,
        *,
        path: str | None = None,
        params: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> KohaResponse:
        """Send ``method`` to ``path`` (``route`` with its ids filled in; ``route`` itself
        when it has none). ``route`` is what logs and errors show."""
        url = self._base + (path or route)
        signed_again = False
        failures = 0
        while True:
            try:
                authorization = await self._auth.authorization(self._request_token)
                response = await self._send(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers={**(headers or {}), "Authorization": authorization},
                )
            except (aiohttp.ClientError, TimeoutError, _ServerError) as error:
                reason = _describe(error)
            else:
                if response.status == 401 and not signed_again:
                    logger.info("Koha answered 401 to %s %s; signing in again", method, route)
                    self._auth.invalidate()
                    signed_again = True
                    continue
                if response.status == 401:
                    raise IlsUnavailable(
                        f"Koha does not accept the bot's credentials ({method} {route}: 401 "
                        f"{_error_text(response.body)})"
                    )
                if response.status < 500:
                    return response
                reason = f"HTTP {response.status} {_error_text(response.body)}"
            if failures >= self._retry.retries:
                raise IlsUnavailable(
                    f"Koha {method} {route} failed {failures + 1} times; last: {reason}"
                )
            delay = self._retry.delay(failures)
            failures += 1
            logger.warning(
                "Koha %s %s failed (%s); attempt %d of %d in %.1fs",
                method,
                route,
                reason,
                failures + 1,
                self._retry.retries + 1,
                delay,
            )
            await self._sleep(delay)

    async def _request_token(self, form: Mapping[str, str]) -> tuple[int, Any]:
        response = await self._send("POST", self._base + "/oauth/token", data=form)
        if response.status >= 500:
            raise _ServerError(response.status)
        return response.status, response.body

    async def _send(self, method: str, url: str, **kwargs: Any) -> KohaResponse:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        async with self._session.request(method, url, allow_redirects=False, **kwargs) as response:
            body: Any = None
            if response.content_type == "application/json":
                try:
                    body = await response.json()
                except ValueError:
                    body = None
            else:
                await response.read()
            return KohaResponse(response.status, body)


class _ServerError(Exception):
    """The token endpoint answered 5xx: retried like any other request's 5xx."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, _ServerError):
        return f"HTTP {error.status} from /oauth/token"
    # Connection errors name the host and port only; never str() a request with its query.
    return type(error).__name__


def _error_text(body: object) -> str:
    """Koha's ``error`` text (``definitions/error.yaml``), cut short for a log line."""
    if isinstance(body, Mapping) and isinstance(body.get("error"), str):
        return repr(str(body["error"])[:200])
    return ""
