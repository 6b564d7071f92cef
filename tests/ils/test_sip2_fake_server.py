"""The fake SIP2 server is as strict as a real one, so the client's tests mean something."""

from __future__ import annotations

import asyncio

import pytest

from tests.fakes.sip2_server import FakePatron, FakeSip2Server
from tests.ils.sip2_support import LOGIN, clock


async def _exchange(server: FakeSip2Server, *records: bytes) -> list[bytes]:
    """Send raw records; the answers, until the server closes or stops answering."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    answers: list[bytes] = []
    try:
        for record in records:
            writer.write(record)
            await writer.drain()
            try:
                answers.append(await asyncio.wait_for(reader.readuntil(b"\r"), 5))
            except asyncio.IncompleteReadError:
                break
    finally:
        writer.close()
    return answers


@pytest.mark.parametrize(
    "record",
    [
        b"63001\r",  # fixed part too short
        b"6300020270310    093000  Y       AOMAIN|\r",  # AA (required) missing
        b"6300020270310    093000  Y       AOMAIN|AA1|ZZx|\r",  # a field 63 does not define
        b"6300020270310    093000YY        AOMAIN|AA1|\r",  # two summary items at once
        b"88garbage\r",  # no such command
    ],
)
async def test_malformed_requests_are_errors_and_close_the_connection(record: bytes) -> None:
    async with FakeSip2Server(clock=clock) as server:
        answers = await _exchange(server, record)

    assert answers == []
    assert len(server.errors) == 1


async def test_requests_before_the_login_are_refused() -> None:
    async with FakeSip2Server(clock=clock, login=LOGIN) as server:
        await _exchange(server, b"1720270310    093000AOMAIN|ABX|\r")

    assert server.errors == ["17 before a login"]


async def test_a_bad_checksum_is_answered_with_96_and_a_skipped_sequence_is_an_error() -> None:
    async with FakeSip2Server(clock=clock, error_detection=True) as server:
        bad = await _exchange(server, b"1720270310    093000AOMAIN|ABX|AY0AZ0000\r")
        skipped = await _exchange(
            server,
            b"1720270310    093000AOMAIN|ABX|AY0AZF770\r",
            b"1720270310    093000AOMAIN|ABX|AY5AZF76B\r",
        )

    assert bad == [b"96AZFEF6\r"]
    assert len(skipped) == 1 and skipped[0].startswith(b"18")
    assert server.errors == ["sequence 5 after 0"]


async def test_answers_are_in_the_servers_charset() -> None:
    async with FakeSip2Server(clock=clock, charset="cp1251") as server:
        server.add_patron(FakePatron("404", "1", "Иванова"))
        answers = await _exchange(server, b"6300020270310    093000          AOMAIN|AA404|\r")

    assert answers and "AEИванова|".encode("cp1251") in answers[0]
    assert server.errors == []
