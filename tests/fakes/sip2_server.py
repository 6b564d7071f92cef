"""A fake SIP2 server (ACS) on 127.0.0.1 for tests that go through a real socket.

It speaks SIP2 2.00 the way Koha's SIPServer does, with its own framing code (it shares none
with the client under test): CR-terminated records, ``|``-terminated fields, a 93 Login before
anything else when ``login`` is set, the AY/AZ trailer checked on every request when
``error_detection`` is on (a bad checksum answers 96, as the standard says; a sequence digit
that does not follow the last one is a protocol error), and its answers in ``charset``.

It is strict: a request with an unknown command, a fixed part of the wrong shape, a field the
message does not define or a missing required field is recorded in ``errors`` and the
connection is closed, as a real ACS does. Tests assert ``errors == []``.

Circulation is in memory: ``add_patron`` and ``add_item`` set it up; a renewal moves the due
date ``renewal_days`` on from the later of the old due date and ``clock()``. Faults on demand::

    sip.fail_next("drop")      # read the next request, close without answering
    sip.fail_next("corrupt")   # answer the next request (or 97) with a bad checksum
    sip.fail_next("resend")    # answer the next request with 96 (Request SC Resend)
    sip.fail_next("silent")    # never answer the next request
    await sip.drop_connections()  # close every open connection now (an idle timeout)
    sip.hang_up_after("65")    # answer the next 65, then close and stop listening (ACS down)
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.playground.platforms.lifecycle import StartsAndStops

Fault = Literal["drop", "corrupt", "resend", "silent"]

_FIXED = {"93": 2, "99": 8, "63": 31, "17": 18, "29": 38, "65": 18, "96": 0, "97": 0}
_FIELDS = {
    "93": {"CN", "CO", "CP"},
    "99": set(),
    "63": {"AO", "AA", "AC", "AD", "BP", "BQ"},
    "17": {"AO", "AB", "AC"},
    "29": {"AO", "AA", "AD", "AB", "AJ", "AC", "CH", "BO"},
    "65": {"AO", "AA", "AD", "AC", "BO"},
    "96": set(),
    "97": set(),
}
_REQUIRED = {"93": {"CN", "CO"}, "63": {"AO", "AA"}, "17": {"AO", "AB"}, "29": {"AO", "AA"}}
_REQUIRED["65"] = {"AO", "AA"}
_DATE = r"\d{8}[ 0-9A-Z]{4}\d{6}"
_FIXED_SHAPE = {
    "93": r"[0-9]{2}",
    "99": r"[012]\d{3}\d\.\d{2}",
    "63": r"\d{3}" + _DATE + r"[ Y]{10}",
    "17": _DATE,
    "29": r"[YN][YN]" + _DATE + r"(" + _DATE + r"| {18})",
    "65": _DATE,
}


@dataclass
class FakeItem:
    barcode: str
    title: str
    due: datetime
    holds: int = 0
    renewals_left: int = 3
    renewable: bool = True
    refusal_message: str | None = None
    """The AF of a refused renewal of this item, instead of Koha's wording."""
    renewed: int = 0


@dataclass
class FakePatron:
    card: str
    pin: str
    name: str
    items: list[str] = field(default_factory=list)
    expires: date | None = None
    blocked: bool = False
    screen_message: str | None = None


class _Violation(Exception):
    pass


@dataclass(eq=False)
class _Session:
    writer: asyncio.StreamWriter
    logged_in: bool = False
    last_sequence: int | None = None
    last_request: bytes = b""
    last_response: bytes = b""


class FakeSip2Server(StartsAndStops):
    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        charset: str = "cp1251",
        error_detection: bool = False,
        login: tuple[str, str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        timezone: str = "Europe/Moscow",
        renew_all_supported: bool = True,
        renewal_days: int = 14,
        due_format: Callable[[datetime], str] | None = None,
    ) -> None:
        self.clock = clock
        self.charset = charset
        self.error_detection = error_detection
        self.login = login
        self.ssl_context = ssl_context
        self.tz = ZoneInfo(timezone)
        self.renew_all_supported = renew_all_supported
        self.renewal_days = renewal_days
        self.due_format = due_format or self._standard_date
        self.patrons: dict[str, FakePatron] = {}
        self.items: dict[str, FakeItem] = {}
        self.received: list[str] = []
        """The command code of every request, in order (96/97 included)."""
        self.errors: list[str] = []
        self.connections = 0
        self.port = 0
        self._faults: list[Fault] = []
        self._hang_up_after: str | None = None
        self._sessions: set[_Session] = set()
        self._server: asyncio.Server | None = None

    # --- set-up -------------------------------------------------------------------------

    def add_patron(self, patron: FakePatron) -> FakePatron:
        self.patrons[patron.card] = patron
        return patron

    def add_item(self, patron: FakePatron, item: FakeItem) -> FakeItem:
        """Charge ``item`` to ``patron``."""
        self.items[item.barcode] = item
        patron.items.append(item.barcode)
        return item

    def fail_next(self, fault: Fault, times: int = 1) -> None:
        self._faults.extend([fault] * times)

    def hang_up_after(self, command: str) -> None:
        """Answer the next ``command`` request, then close that connection and stop
        listening: the server went down right after it had done what was asked."""
        self._hang_up_after = command

    # --- running ------------------------------------------------------------------------

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", self.port, ssl=self.ssl_context
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and close every connection; a new connection is then refused."""
        if self._server is not None:
            self._server.close()
            await self.drop_connections()
            await self._server.wait_closed()
            self._server = None

    async def drop_connections(self) -> None:
        for session in list(self._sessions):
            session.writer.close()
        for session in list(self._sessions):
            with contextlib.suppress(OSError):
                await session.writer.wait_closed()
        self._sessions.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = _Session(writer)
        self._sessions.add(session)
        self.connections += 1
        try:
            while True:
                try:
                    record = await reader.readuntil(b"\r")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
                    return
                if not await self._handle(session, record[:-1]):
                    return
        except _Violation as violation:
            self.errors.append(str(violation))
        except Exception as error:  # a bug in the fake fails the test instead of hiding
            self.errors.append(f"the fake server crashed: {error!r}")
        finally:
            self._sessions.discard(session)
            writer.close()

    async def _handle(self, session: _Session, record: bytes) -> bool:
        """Answer one record; False closes the connection."""
        command = record[:2].decode("ascii", errors="replace")
        self.received.append(command)
        body, sequence = record, None
        if self.error_detection:
            parsed = self._strip_trailer(record, command)
            if parsed is None:
                await self._write(session, self._frame("96", "", [], None))
                return True
            body, sequence = parsed
            resend = record == session.last_request
            if command not in ("96", "97") and not resend:
                if (
                    session.last_sequence is not None
                    and sequence != (session.last_sequence + 1) % 10
                ):
                    raise _Violation(f"sequence {sequence} after {session.last_sequence}")
                session.last_sequence = sequence
        if command == "97":
            frame = session.last_response
            if self._faults and self._faults[0] == "corrupt":
                self._faults.pop(0)
                frame = _corrupted(frame)
            await self._write(session, frame)
            return True
        if command == "96":
            return True
        fixed, fields = self._parse(body, command)
        if self.login and command not in ("93", "99") and not session.logged_in:
            raise _Violation(f"{command} before a login")
        fault = self._faults.pop(0) if self._faults else None
        if fault == "drop":
            return False
        if fault == "silent":
            return True
        if fault == "resend":
            session.last_request = record
            await self._write(session, self._frame("96", "", [], None))
            return True
        session.last_request = record
        response = self._respond(session, command, fixed, fields)
        frame = self._frame(response[0], response[1], response[2], sequence)
        session.last_response = frame
        if fault == "corrupt":
            frame = _corrupted(frame)
        await self._write(session, frame)
        if command == self._hang_up_after:
            self._hang_up_after = None
            if self._server is not None:
                self._server.close()  # new connections are refused from now on
            return False
        return True

    # --- wire format --------------------------------------------------------------------

    def _strip_trailer(self, record: bytes, command: str) -> tuple[bytes, int | None] | None:
        match = re.fullmatch(rb"(.*?)(AY(\d))?AZ([0-9A-F]{4})", record, re.DOTALL)
        if match is None:
            return None
        if (sum(record[:-4]) + int(match.group(4), 16)) & 0xFFFF:
            return None
        if command in ("96", "97"):
            return (match.group(1), None) if match.group(2) is None else None
        if match.group(2) is None:
            return None
        return match.group(1), int(match.group(3))

    def _parse(self, body: bytes, command: str) -> tuple[str, dict[str, list[str]]]:
        if command not in _FIXED:
            raise _Violation(f"unknown command {command!r}")
        width = _FIXED[command]
        fixed = body[2 : 2 + width].decode("ascii", errors="replace")
        shape = _FIXED_SHAPE.get(command)
        if len(fixed) != width or (shape and not re.fullmatch(shape, fixed)):
            raise _Violation(f"{command}: fixed fields {fixed!r} are malformed")
        if command == "63" and fixed[-10:].count("Y") > 1:
            raise _Violation("63: more than one Y in the summary")
        try:
            text = body[2 + width :].decode(self.charset)
        except UnicodeDecodeError:
            raise _Violation(f"{command}: not {self.charset}") from None
        if text and not text.endswith("|"):
            raise _Violation(f"{command}: the last field has no terminator")
        fields: dict[str, list[str]] = {}
        for part in text.split("|")[:-1]:
            code = part[:2]
            if len(code) < 2 or code not in _FIELDS[command]:
                raise _Violation(f"{command}: unexpected field {code!r}")
            fields.setdefault(code, []).append(part[2:])
        missing = _REQUIRED.get(command, set()) - fields.keys()
        if missing:
            raise _Violation(f"{command}: missing {sorted(missing)}")
        return fixed, fields

    def _frame(
        self, command: str, fixed: str, fields: list[tuple[str, str]], sequence: int | None
    ) -> bytes:
        data = (command + fixed).encode("ascii")
        for code, value in fields:
            data += code.encode("ascii") + value.encode(self.charset) + b"|"
        if self.error_detection:
            if command != "96":
                data += b"AY%d" % (sequence or 0)
            data += b"AZ"
            data += f"{(-sum(data)) & 0xFFFF:04X}".encode("ascii")
        return data + b"\r"

    async def _write(self, session: _Session, frame: bytes) -> None:
        session.writer.write(frame)
        await session.writer.drain()

    # --- circulation --------------------------------------------------------------------

    def _respond(
        self, session: _Session, command: str, fixed: str, fields: dict[str, list[str]]
    ) -> tuple[str, str, list[tuple[str, str]]]:
        one = {code: values[0] for code, values in fields.items()}
        if command == "93":
            ok = self.login == (one.get("CN"), one.get("CO"))
            session.logged_in = ok
            return "94", "1" if ok else "0", []
        if command == "99":
            supported = "YYYYYYYYYYYYYYY" + ("Y" if self.renew_all_supported else "N")
            return (
                "98",
                "YYYYNN030003" + self._now() + "2.00",
                [("AO", "MAIN"), ("AM", "Fake library"), ("BX", supported)],
            )
        if command == "63":
            return self._patron_information(fixed, one)
        if command == "17":
            return self._item_information(one)
        if command == "29":
            return self._renew(one)
        if command == "65":
            return self._renew_all(one)
        raise _Violation(f"no answer for {command}")

    def _patron_information(
        self, fixed: str, one: dict[str, str]
    ) -> tuple[str, str, list[tuple[str, str]]]:
        patron = self.patrons.get(one["AA"])
        counts = "0000" * 6
        if patron is None:
            fields = [("AO", one["AO"]), ("AA", one["AA"]), ("AE", ""), ("BL", "N")]
            if "AD" in one:
                fields.append(("CQ", "N"))
            return "64", "YYYY          000" + self._now() + counts, fields
        status = list(" " * 14)
        if self._denied(patron):
            status[0] = status[1] = "Y"
        charged = patron.items
        counts = f"0000{self._overdue(patron):04d}{len(charged):04d}" + "0000" * 3
        fields = [("AO", one["AO"]), ("AA", patron.card), ("AE", patron.name), ("BL", "Y")]
        if "AD" in one:
            fields.append(("CQ", "Y" if one["AD"] == patron.pin else "N"))
        if patron.expires is not None:
            fields.append(("PA", patron.expires.strftime("%Y%m%d") + "    000000"))
        if fixed[-10:][2] == "Y":
            start = int(one.get("BP", "1") or 1)
            end = int(one.get("BQ", str(len(charged))) or len(charged))
            fields.extend(("AU", barcode) for barcode in charged[start - 1 : end])
        if patron.screen_message:
            fields.append(("AF", patron.screen_message))
        return "64", "".join(status) + "000" + self._now() + counts, fields

    def _item_information(self, one: dict[str, str]) -> tuple[str, str, list[tuple[str, str]]]:
        item = self.items.get(one["AB"])
        if item is None:
            return (
                "18",
                "01" + "00" + "01" + self._now(),
                [("AB", one["AB"]), ("AJ", ""), ("AF", "Item not found")],
            )
        return (
            "18",
            "04" + "00" + "01" + self._now(),
            [
                ("CF", str(item.holds)),
                ("AH", self.due_format(item.due)),
                ("AB", item.barcode),
                ("AJ", item.title),
            ],
        )

    def _renew(self, one: dict[str, str]) -> tuple[str, str, list[tuple[str, str]]]:
        patron = self.patrons.get(one["AA"])
        barcode = one.get("AB", "")
        item = self.items.get(barcode)
        base = [("AO", one["AO"]), ("AA", one["AA"]), ("AB", barcode)]
        if patron is None or item is None or barcode not in patron.items:
            return (
                "30",
                "0NUU" + self._now(),
                [*base, ("AJ", ""), ("AH", ""), ("AF", "Invalid patron or item")],
            )
        refusal = self._refusal(patron, item)
        if refusal is not None:
            return (
                "30",
                "1NUN" + self._now(),
                [*base, ("AJ", item.title), ("AH", ""), ("AF", refusal)],
            )
        self._extend(item)
        return (
            "30",
            "1YUN" + self._now(),
            [*base, ("AJ", item.title), ("AH", self.due_format(item.due))],
        )

    def _renew_all(self, one: dict[str, str]) -> tuple[str, str, list[tuple[str, str]]]:
        patron = self.patrons.get(one["AA"])
        if patron is None or self._denied(patron):
            return (
                "66",
                "0" + "0000" + "0000" + self._now(),
                [("AO", one["AO"]), ("AF", "Renewals not allowed")],
            )
        renewed, unrenewed = [], []
        for barcode in patron.items:
            item = self.items[barcode]
            if self._refusal(patron, item) is None:
                self._extend(item)
                renewed.append(barcode)
            else:
                unrenewed.append(barcode)
        fields = [("AO", one["AO"])]
        fields += [("BM", b) for b in renewed] + [("BN", b) for b in unrenewed]
        return "66", f"1{len(renewed):04d}{len(unrenewed):04d}" + self._now(), fields

    def _refusal(self, patron: FakePatron, item: FakeItem) -> str | None:
        """Koha's words for a refused renewal (C4::SIP::ILS::Transaction::Renew)."""
        if self._denied(patron):
            return "restriction"
        if item.holds:
            return item.refusal_message or "Item unavailable due to outstanding holds"
        if item.renewals_left <= 0:
            return item.refusal_message or "Item has reached maximum renewals"
        if not item.renewable:
            return item.refusal_message or "item_denied_renewal"
        return None

    def _extend(self, item: FakeItem) -> None:
        item.due = max(item.due, self.clock()) + timedelta(days=self.renewal_days)
        item.renewals_left -= 1
        item.renewed += 1

    def _denied(self, patron: FakePatron) -> bool:
        expired = (
            patron.expires is not None and patron.expires < self.clock().astimezone(self.tz).date()
        )
        return patron.blocked or expired

    def _overdue(self, patron: FakePatron) -> int:
        return sum(1 for b in patron.items if self.items[b].due < self.clock())

    def _now(self) -> str:
        return self._standard_date(self.clock())

    def _standard_date(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).strftime("%Y%m%d    %H%M%S")


def _corrupted(frame: bytes) -> bytes:
    """The frame with its last checksum digit changed."""
    return frame[:-2] + (b"0" if frame[-2:-1] != b"0" else b"1") + b"\r"
