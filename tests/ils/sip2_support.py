"""Shared set-up for the SIP2 tests: a fixed clock, a circulation, a client for a fake server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.ils.sip2 import Sip2Config, Sip2Ils
from tests.fakes.sip2_server import FakeItem, FakePatron, FakeSip2Server

NOW = datetime(2027, 3, 10, 9, 30, tzinfo=UTC)
"""The clock both sides read; fixed, so no test depends on the day it runs."""
PIN = "7319"
CARD = "100200300"
LOGIN = ("selfcheck", "sc-secret")


def clock() -> datetime:
    return NOW


class Sleeps:
    """A sleep that only records how long it was asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def circulation(server: FakeSip2Server) -> FakePatron:
    """A reader with three loans: one renewable, one on hold for someone else, one at its limit."""
    reader = server.add_patron(FakePatron(CARD, PIN, "Иванова Анна Сергеевна"))
    server.add_item(
        reader, FakeItem("B-001", "Пропедевтика внутренних болезней", NOW + timedelta(days=3))
    )
    server.add_item(
        reader,
        FakeItem(
            "B-002", "Harrison's Principles of Internal Medicine", NOW + timedelta(days=1), holds=2
        ),
    )
    server.add_item(
        reader,
        FakeItem("B-003", "Атлас анатомии человека", NOW - timedelta(days=2), renewals_left=0),
    )
    return reader


def config_for(server: FakeSip2Server, **overrides: object) -> Sip2Config:
    base = Sip2Config(
        host="127.0.0.1",
        port=server.port,
        institution_id="MAIN",
        location_code="BOT",
        login_user=server.login[0] if server.login else "",
        login_password=server.login[1] if server.login else "",
        charset=server.charset,
        error_detection=server.error_detection,
        timeout=5.0,
        retries=2,
        timezone="Europe/Moscow",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def client_for(
    server: FakeSip2Server, sleeps: Sleeps | None = None, **overrides: object
) -> Sip2Ils:
    return Sip2Ils(config_for(server, **overrides), clock=clock, sleep=sleeps or Sleeps())


@asynccontextmanager
async def connected_client(
    server: FakeSip2Server, sleeps: Sleeps | None = None, **overrides: object
) -> AsyncIterator[Sip2Ils]:
    """:func:`client_for`, closed (its connection with it) when the block ends."""
    ils = client_for(server, sleeps, **overrides)
    try:
        yield ils
    finally:
        await ils.close()
