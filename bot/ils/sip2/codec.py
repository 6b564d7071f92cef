"""The SIP2 wire format: one message is one record, ``<command><fixed fields><variable fields>``.

Why not ``pysip2`` (PyPI, checked in December 2026): it is typed, MIT and handles charsets and
the AY/AZ trailer, but it is an alpha 0.1.0 with a single release, written for the ACS (server)
side, and it validates every response strictly against the standard: a 64 without AE, a count
sent as blanks where a digit is expected, a currency that is not three Latin letters, or one
byte the charset cannot decode rejects the whole response. Real servers (Koha, Evergreen, the
Russian ones) send all of these, and a client must read what it gets. It would also pull in
msgspec and anyio for the few dozen lines below.

This codec keeps a message as its fixed part (a string whose layout the client knows per
command) and its variable fields in wire order, so repeated fields (AU, AF, BM...) survive.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass, field

FIELD_TERMINATOR = "|"
RECORD_TERMINATOR = b"\r"
CONTROL_COMMANDS = frozenset({"96", "97"})
"""Request SC Resend and Request ACS Resend: they carry a checksum but no sequence number."""

SECRET_FIELDS = frozenset({"AD", "CO", "AC"})
"""Patron password, login password, terminal password: never shown in a log."""
PERSONAL_FIELDS = frozenset({"AE", "BD", "BE", "BF", "PB"})
"""Name, address, e-mail, phone, birth date: the bot needs none of them in its logs."""

FIXED_LENGTHS: dict[str, int] = {
    "93": 2,  # UID algorithm, PWD algorithm
    "94": 1,  # ok
    "99": 8,  # status code, max print width, protocol version
    "98": 34,  # six flags, timeout, retries, date/time sync, protocol version
    "63": 31,  # language, transaction date, summary
    "64": 59,  # patron status, language, transaction date, six counts
    "17": 18,  # transaction date
    "18": 24,  # circulation status, security marker, fee type, transaction date
    "29": 38,  # third party allowed, no block, transaction date, nb due date
    "30": 22,  # ok, renewal ok, magnetic media, desensitize, transaction date
    "65": 18,  # transaction date
    "66": 27,  # ok, renewed count, unrenewed count, transaction date
    "96": 0,
    "97": 0,
}


class Sip2FormatError(ValueError):
    """A record that is not SIP2: too short, an unknown command, a bad checksum."""


class ChecksumMismatch(Sip2FormatError):
    pass


@dataclass(frozen=True, slots=True)
class Message:
    command: str
    fixed: str = ""
    fields: tuple[tuple[str, str], ...] = field(default=())

    def first(self, code: str) -> str | None:
        return next((value for key, value in self.fields if key == code), None)

    def every(self, code: str) -> list[str]:
        return [value for key, value in self.fields if key == code]

    def redacted(self) -> str:
        """The message for a log line, with passwords, PINs and personal data masked."""
        parts = [self.command, self.fixed]
        for key, value in self.fields:
            hidden = key in SECRET_FIELDS or key in PERSONAL_FIELDS
            parts.append(f"{key}{'***' if hidden else value}{FIELD_TERMINATOR}")
        return "".join(parts)


def message(command: str, fixed: str, fields: Iterable[tuple[str, str | None]]) -> Message:
    """A message to send; fields whose value is None are left out."""
    return Message(command, fixed, tuple((k, v) for k, v in fields if v is not None))


@dataclass(frozen=True, slots=True)
class Decoded:
    message: Message
    sequence: int | None
    """The AY digit, when the record carried one."""
    checksummed: bool


def check_charset(name: str) -> str:
    """The canonical codec name, if the charset keeps ASCII (SIP2's syntax) byte for byte."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ValueError(f"unknown character set {name!r}") from None
    probe = "AZ09|az"
    try:
        if probe.encode(info.name) != probe.encode("ascii"):
            raise ValueError(f"character set {name!r} does not keep ASCII as is")
    except UnicodeError:
        raise ValueError(f"character set {name!r} does not keep ASCII as is") from None
    return info.name


def checksum(data: bytes) -> str:
    """The AZ value: the two's complement of the 16-bit sum of every byte up to "AZ"."""
    return f"{(-sum(data)) & 0xFFFF:04X}"


def can_carry(value: str, charset: str) -> bool:
    """Whether a value can be one field: no terminators, and encodable in the charset."""
    if any(ch in value for ch in (FIELD_TERMINATOR, "\r", "\n", "\0")):
        return False
    try:
        value.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def encode(msg: Message, *, charset: str, sequence: int | None = None) -> bytes:
    """One record, CR-terminated; with AY/AZ when ``sequence`` is given (AZ alone for 96/97).

    Raises ValueError for a field value that cannot be sent; the error never repeats the value.
    """
    body = bytearray((msg.command + msg.fixed).encode("ascii"))
    for key, value in msg.fields:
        if not can_carry(value, charset):
            raise ValueError(f"field {key} holds a character SIP2 cannot carry")
        body += f"{key}".encode("ascii") + value.encode(charset) + FIELD_TERMINATOR.encode()
    if sequence is not None:
        if msg.command not in CONTROL_COMMANDS:
            body += f"AY{sequence % 10}".encode("ascii")
        body += b"AZ"
        body += checksum(bytes(body)).encode("ascii")
    return bytes(body) + RECORD_TERMINATOR


def decode(record: bytes, *, charset: str, error_detection: bool) -> Decoded:
    """Read one record (its CR optional). Raises Sip2FormatError; never anything else.

    With ``error_detection`` the record must end in a valid ``AZ`` checksum. Without it, a
    valid trailer the server sends anyway is removed.
    """
    body = record.rstrip(b"\r\n").lstrip(b"\n")
    sequence: int | None = None
    checksummed = False
    trailer = len(body) >= 6 and body[-6:-4] == b"AZ" and _is_hex(body[-4:])
    if trailer and (sum(body[:-4]) + int(body[-4:], 16)) & 0xFFFF != 0:
        if error_detection:
            raise ChecksumMismatch("checksum mismatch")
        trailer = False  # without error detection, "AZ" and four hex digits may be a value
    if trailer:
        checksummed = True
        body = body[:-6]
        if len(body) >= 3 and body[-3:-1] == b"AY" and body[-1:].isdigit():
            sequence = int(body[-1:])
            body = body[:-3]
    elif error_detection:
        raise ChecksumMismatch("no checksum")
    if len(body) < 2 or not body[:2].isdigit():
        raise Sip2FormatError("no command code")
    command = body[:2].decode("ascii")
    width = FIXED_LENGTHS.get(command)
    if width is None:
        raise Sip2FormatError(f"unknown command {command}")
    if len(body) < 2 + width:
        raise Sip2FormatError(f"command {command} is too short")
    # Fixed fields are ASCII by the standard; a stray byte becomes U+FFFD, not an exception.
    fixed = body[2 : 2 + width].decode("ascii", errors="replace")
    text = body[2 + width :].decode(charset, errors="replace")
    fields: list[tuple[str, str]] = []
    for part in text.split(FIELD_TERMINATOR):
        if len(part) >= 2:
            fields.append((part[:2], part[2:]))
        elif part:
            raise Sip2FormatError(f"a field of command {command} has no identifier")
    return Decoded(Message(command, fixed, tuple(fields)), sequence, checksummed)


def _is_hex(data: bytes) -> bool:
    return all(byte in b"0123456789ABCDEFabcdef" for byte in data)
