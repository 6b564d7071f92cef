"""How the bot's own Koha account signs its requests: OAuth2 client credentials or basic auth.

Koha accepts either on every /api/v1 route (``swagger.yaml``, "Authentication"), once the
system preference RESTOAuth2ClientCredentials or RESTBasicAuth is on.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from handlers.loans.ils import IlsUnavailable
from storage.types import Clock

TokenRequest = Callable[[Mapping[str, str]], Awaitable[tuple[int, Any]]]
"""Posts a form to ``/api/v1/oauth/token`` once and gives back the status and JSON body."""

EXPIRY_MARGIN = timedelta(seconds=30)
"""A token this close to its expiry is renewed before use rather than sent and refused."""


class KohaAuth(Protocol):
    async def authorization(self, request_token: TokenRequest) -> str:
        """The ``Authorization`` header value for the next request."""
        ...

    def invalidate(self) -> None:
        """Koha answered 401: forget what was cached so the next call signs in afresh."""
        ...


class BasicAuth:
    """HTTP basic auth with the bot account's Koha username and password (RESTBasicAuth)."""

    def __init__(self, user: str, password: str) -> None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self._header = f"Basic {token}"

    def __repr__(self) -> str:
        return "BasicAuth(***)"

    async def authorization(self, request_token: TokenRequest) -> str:
        return self._header

    def invalidate(self) -> None:
        """Nothing is cached: a wrong password stays wrong."""


class OAuth2ClientCredentials:
    """An access token from ``POST /api/v1/oauth/token`` (``paths/oauth.yaml``), kept until
    shortly before it expires; Koha issues them for an hour."""

    def __init__(self, client_id: str, client_secret: str, *, clock: Clock) -> None:
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self._clock = clock
        self._token: str | None = None
        self._expires: datetime | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return "OAuth2ClientCredentials(***)"

    async def authorization(self, request_token: TokenRequest) -> str:
        async with self._lock:
            if self._token is None or self._expired():
                self._token, self._expires = await self._fetch(request_token)
            return f"Bearer {self._token}"

    def invalidate(self) -> None:
        self._token = None
        self._expires = None

    def _expired(self) -> bool:
        return self._expires is not None and self._clock() >= self._expires - EXPIRY_MARGIN

    async def _fetch(self, request_token: TokenRequest) -> tuple[str, datetime | None]:
        status, body = await request_token(self._form)
        if status != 200 or not isinstance(body, Mapping):
            reason = body.get("error") if isinstance(body, Mapping) else None
            raise IlsUnavailable(
                f"Koha refused the bot's OAuth2 client credentials (HTTP {status}: {reason!s}); "
                "check KOHA_CLIENT_ID, KOHA_CLIENT_SECRET and RESTOAuth2ClientCredentials"
            )
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise IlsUnavailable("Koha's token answer holds no access_token")
        lifetime = body.get("expires_in")
        expires = (
            self._clock() + timedelta(seconds=lifetime)
            if isinstance(lifetime, int) and lifetime > 0
            else None
        )
        return token, expires
