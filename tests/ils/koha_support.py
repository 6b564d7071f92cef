"""A fake Koha and the Koha client wired to it, on one controllable clock and no real sleeps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.ils.koha import (
    BasicAuth,
    KohaAuth,
    KohaIls,
    KohaTransport,
    OAuth2ClientCredentials,
    RetryPolicy,
)
from tests.fakes.koha_server import FakeKoha
from tests.support.clock import SettableClock

START = datetime(2031, 3, 3, 9, 30, tzinfo=UTC)
"""A fixed moment: nothing here reads the wall clock."""
CLIENT_ID = "reader-bot"
CLIENT_SECRET = "s3cret-client-Xq9"
BASIC_USER = "bot_api"
BASIC_PASSWORD = "basic-Pw-7731"
PIN = "Zx-4471-pin"
"""The reader's password in every test; searched for in logs, errors and requests."""


@dataclass
class RecordedSleep:
    """Stands in for asyncio.sleep: records each pause and returns at once."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@dataclass
class Rig:
    koha: FakeKoha
    ils: KohaIls
    clock: SettableClock
    sleep: RecordedSleep


def make_ils(
    base_url: str,
    clock: SettableClock,
    sleep: RecordedSleep,
    *,
    auth: str = "oauth2",
    timeout: float = 10.0,
    retries: int = 2,
    needs_pin: bool = True,
    secret: str = CLIENT_SECRET,
) -> KohaIls:
    signer: KohaAuth = (
        OAuth2ClientCredentials(CLIENT_ID, secret, clock=clock)
        if auth == "oauth2"
        else BasicAuth(BASIC_USER, BASIC_PASSWORD)
    )
    transport = KohaTransport(
        base_url, signer, timeout=timeout, retry=RetryPolicy(retries=retries), sleep=sleep
    )
    return KohaIls(transport, clock=clock, needs_pin=needs_pin)


@asynccontextmanager
async def koha_rig(
    *,
    auth: str = "oauth2",
    request_timeout: float = 10.0,
    retries: int = 2,
    needs_pin: bool = True,
) -> AsyncIterator[Rig]:
    clock, sleep = SettableClock(START), RecordedSleep()
    async with FakeKoha(
        now=clock,
        oauth_clients={CLIENT_ID: CLIENT_SECRET} if auth == "oauth2" else None,
        basic_users={BASIC_USER: BASIC_PASSWORD} if auth == "basic" else None,
    ) as koha:
        ils = make_ils(
            koha.base_url,
            clock,
            sleep,
            auth=auth,
            timeout=request_timeout,
            retries=retries,
            needs_pin=needs_pin,
        )
        try:
            yield Rig(koha, ils, clock, sleep)
        finally:
            await ils.close()
