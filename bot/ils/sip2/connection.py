"""One TCP (or TLS) connection to a SIP2 server, and one request/response exchange on it.

The exchange follows the standard's error detection: with AY/AZ on, each request carries the
next sequence digit and the response must echo it; a response with a bad checksum is asked
for again once with 97 (Request ACS Resend), and a 96 (Request SC Resend) from the server gets
the last request again. Anything else odd breaks the exchange, and the connection is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass

from bot.ils.sip2.codec import ChecksumMismatch, Message, Sip2FormatError, decode, encode

log = logging.getLogger(__name__)

_MAX_RECORD = 64 * 1024
_RESENDS = 1
"""How many times one exchange asks for (or answers) a resend before giving up on it."""


class ExchangeBroken(Exception):
    """The exchange failed; ``sent`` says whether the server may have acted on the request.

    The text is for the log and never holds a field value.
    """

    def __init__(self, reason: str, *, sent: bool) -> None:
        super().__init__(reason)
        self.sent = sent


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    port: int
    ssl: ssl.SSLContext | None
    timeout: float
    charset: str
    error_detection: bool


class Connection:
    def __init__(
        self, endpoint: Endpoint, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._endpoint = endpoint
        self._reader = reader
        self._writer = writer
        self._sequence = 0

    @classmethod
    async def open(cls, endpoint: Endpoint) -> Connection:
        try:
            async with asyncio.timeout(endpoint.timeout):
                reader, writer = await asyncio.open_connection(
                    endpoint.host, endpoint.port, ssl=endpoint.ssl, limit=_MAX_RECORD
                )
        except (OSError, TimeoutError) as error:
            raise ExchangeBroken(f"cannot connect: {type(error).__name__}", sent=False) from None
        return cls(endpoint, reader, writer)

    @property
    def usable(self) -> bool:
        """False once the server has closed its side (an idle timeout, a restart)."""
        return not (self._reader.at_eof() or self._writer.is_closing())

    async def exchange(self, request: Message, expect: str) -> Message:
        """Send ``request`` and return the server's ``expect`` response."""
        if not self.usable:
            raise ExchangeBroken("the server closed the connection", sent=False)
        endpoint = self._endpoint
        sequence = self._sequence if endpoint.error_detection else None
        self._sequence = (self._sequence + 1) % 10
        try:
            frame = encode(request, charset=endpoint.charset, sequence=sequence)
        except ValueError as error:
            raise ExchangeBroken(str(error), sent=False) from None
        log.debug("SIP2 send %s", request.redacted())
        try:
            async with asyncio.timeout(endpoint.timeout):
                return await self._converse(frame, sequence, expect)
        except TimeoutError:
            raise ExchangeBroken(f"no {expect} response in time", sent=True) from None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            raise ExchangeBroken(f"connection lost: {type(error).__name__}", sent=True) from None

    async def _converse(self, frame: bytes, sequence: int | None, expect: str) -> Message:
        await self._send(frame)
        asked_resend = answered_resend = 0
        while True:
            record = await self._reader.readuntil(b"\r")
            try:
                decoded = decode(
                    record,
                    charset=self._endpoint.charset,
                    error_detection=self._endpoint.error_detection,
                )
            except ChecksumMismatch:
                if asked_resend >= _RESENDS:
                    raise ExchangeBroken("bad checksum, again after a resend", sent=True) from None
                asked_resend += 1
                log.info("SIP2 response with a bad checksum; asking for it again (97)")
                await self._send(self._control("97"))
                continue
            except Sip2FormatError as error:
                raise ExchangeBroken(f"malformed response: {error}", sent=True) from None
            response = decoded.message
            if response.command == "96":
                if answered_resend >= _RESENDS:
                    raise ExchangeBroken("the server keeps asking for a resend", sent=True)
                answered_resend += 1
                log.info("SIP2 server asked for the request again (96)")
                await self._send(frame)
                continue
            if response.command != expect:
                raise ExchangeBroken(
                    f"expected a {expect} response, got {response.command}", sent=True
                )
            if sequence is not None and decoded.sequence != sequence:
                raise ExchangeBroken("response sequence number does not match", sent=True)
            log.debug("SIP2 received %s", response.redacted())
            return response

    def _control(self, command: str) -> bytes:
        sequence = 0 if self._endpoint.error_detection else None
        return encode(Message(command), charset="ascii", sequence=sequence)

    async def _send(self, frame: bytes) -> None:
        self._writer.write(frame)
        await self._writer.drain()

    async def close(self) -> None:
        self._writer.close()
        try:
            async with asyncio.timeout(self._endpoint.timeout):
                await self._writer.wait_closed()
        except (OSError, TimeoutError):
            pass  # Closing is best effort: the connection is being thrown away anyway.
