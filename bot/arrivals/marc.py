"""MARC records (MARC21 and RUSMARC; ISO 2709 and MARCXML) read with pymarc.

The flavour is told per record from the fields it has: RUSMARC (UNIMARC) keeps the title in
200, MARC21 in 245. ISO 2709 bytes are decoded per record as well:

- MARC21: UTF-8 when leader position 09 says so («a»), MARC-8 otherwise; a record that is
  valid UTF-8 with non-ASCII bytes although its leader says MARC-8 is read as UTF-8 (exports
  often leave the leader blank);
- RUSMARC: UTF-8 when the bytes are valid UTF-8, otherwise Windows-1251, which IRBIS64 and
  most Russian systems write.
"""

from __future__ import annotations

import io
import warnings
import xml.sax
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from bot.arrivals.parsed import (
    MAX_DESCRIPTION,
    MAX_TITLE,
    Parsed,
    Records,
    Unreadable,
    distinct,
    tidy,
    year_in,
)
from storage.arrival_models import ArrivalRecord, Reason, Rejection
from storage.isbn import normalise_all

LEADER_LENGTH = 24
DIRECTORY_ENTRY = 12
END_OF_RECORD = b"\x1d"
RUSMARC_ONLY_TAGS = frozenset({"200", "210", "214", "330", "606"})
"""Title, imprint, summary and topical subject in RUSMARC; other uses, or none, in MARC21."""


def looks_like_iso2709(data: bytes) -> bool:
    """Whether ``data`` starts like an ISO 2709 record: a five-digit length, then a leader
    ending in «4500»-style entry map."""
    return len(data) >= LEADER_LENGTH and data[:5].isdigit() and data[20:22] == b"45"


def looks_like_marcxml(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and (b"<record" in data[:4096] or b":record" in data[:4096])


def _tags(chunk: bytes) -> set[str]:
    """The tags in a raw record's directory, without decoding any field."""
    try:
        base = int(chunk[12:17])
    except ValueError:
        return set()
    directory = chunk[LEADER_LENGTH : base - 1]
    return {
        directory[i : i + 3].decode("ascii", "replace")
        for i in range(0, len(directory) - 2, DIRECTORY_ENTRY)
    }


def _is_utf8(chunk: bytes) -> bool:
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


if TYPE_CHECKING:
    from pymarc import Field, Record
# pymarc itself is imported when a file is read: most processes never read one.


def _decode(chunk: bytes) -> Record:
    """The record in ``chunk`` with its text decoded as the module docstring says."""
    from pymarc import Record

    tags = _tags(chunk)
    utf8 = _is_utf8(chunk)
    if "245" not in tags and tags & RUSMARC_ONLY_TAGS:
        return Record(
            chunk,
            force_utf8=utf8,
            file_encoding="utf-8" if utf8 else "cp1251",
            hide_utf8_warnings=True,
        )
    leader_utf8 = chunk[9:10] == b"a"
    mislabelled = utf8 and not chunk.isascii()
    return Record(chunk, force_utf8=leader_utf8 or mislabelled, hide_utf8_warnings=True)


def _frames(data: bytes) -> Iterator[bytes]:
    """The raw records of an ISO 2709 stream. pymarc's reader stops at the first record
    whose length or terminator is wrong; here such a record is cut at the next record
    terminator instead (its decoding then decides whether it is usable), so one damaged
    record costs only itself."""
    position = 0
    while position < len(data):
        while position < len(data) and data[position : position + 1] in b"\r\n \t":
            position += 1  # Some exports put a line break between records.
        if position >= len(data):
            return
        head = data[position : position + 5]
        length = int(head) if head.isdigit() else 0
        end = position + length
        if not (length > LEADER_LENGTH and end <= len(data) and _is_boundary(data, end)):
            terminator = data.find(END_OF_RECORD, position)
            end = len(data) if terminator == -1 else terminator + 1
        chunk = data[position:end]
        # A lost terminator alone does not make the record unreadable.
        yield chunk if chunk.endswith(END_OF_RECORD) else chunk + END_OF_RECORD
        position = end


def _is_boundary(data: bytes, end: int) -> bool:
    """Whether a record can end at ``end``: it is the record terminator's place, or the end
    of the data, or where the next record's length starts."""
    return data[end - 1 : end] == END_OF_RECORD or end == len(data) or data[end : end + 5].isdigit()


def read_iso2709(data: bytes, source: str) -> Records:
    """Every record of an ISO 2709 file; one that cannot be decoded is rejected with the
    reason, and the reading goes on with the next one."""
    import pymarc

    for number, chunk in enumerate(_frames(data), start=1):
        try:
            with warnings.catch_warnings():
                # pymarc only warns about a damaged subfield; such a record is rejected.
                warnings.simplefilter("error")
                record = _decode(chunk)
        except UnicodeDecodeError as error:
            yield Rejection(number, Reason.UNDECODABLE, type(error).__name__)
            continue
        except (pymarc.exceptions.PymarcException, ValueError, IndexError, Warning) as error:
            yield Rejection(number, Reason.BROKEN_RECORD, type(error).__name__)
            continue
        yield from _converted(record, number, source)


def read_marcxml(data: bytes, source: str) -> Records:
    """Every record of a MARCXML collection (MARC21 or RUSMARC alike)."""
    import pymarc

    try:
        records = pymarc.parse_xml_to_array(io.BytesIO(data), strict=False)  # type: ignore[no-untyped-call]
    except xml.sax.SAXException as error:
        raise Unreadable(Reason.BAD_XML) from error
    for number, record in enumerate(records, start=1):
        yield from _converted(record, number, source)


def _converted(record: Record, number: int, source: str) -> Iterator[Parsed]:
    try:
        parsed = _rusmarc(record, source) if _is_rusmarc(record) else _marc21(record, source)
    except (ValueError, KeyError, IndexError, AttributeError) as error:
        yield Rejection(number, Reason.MALFORMED, type(error).__name__)
        return
    if parsed is None:
        yield Rejection(number, Reason.NO_TITLE)
    else:
        yield parsed


def _is_rusmarc(record: Record) -> bool:
    return not record.get_fields("245") and bool(record.get_fields(*RUSMARC_ONLY_TAGS))


def _values(record: Record, tag: str, *codes: str) -> list[str]:
    return [value for field in record.get_fields(tag) for value in field.get_subfields(*codes)]


def _first(record: Record, tag: str, *codes: str) -> str | None:
    values = _values(record, tag, *codes)
    return values[0] if values else None


def _control_number(record: Record) -> str | None:
    fields = record.get_fields("001")
    data = fields[0].data if fields else None
    return tidy(data, 64) if isinstance(data, str) else None


def _heading(field: Field) -> str:
    """A subject heading with its subdivisions: «Кардиология -- Руководства»."""
    return " -- ".join(value.strip() for value in field.get_subfields("a", "x", "y", "z"))


def _marc21(record: Record, source: str) -> ArrivalRecord | None:
    title_parts = _values(record, "245", "a", "b")
    title = tidy(" ".join(title_parts), MAX_TITLE)
    if title is None:
        return None
    imprint = record.get_fields("264") or record.get_fields("260")
    publication = next((f for f in imprint if f.indicator2 in ("1", " ")), None)
    fixed = record.get_fields("008")
    fixed_data = fixed[0].data if fixed and isinstance(fixed[0].data, str) else ""
    year = year_in(publication.get("c") if publication else None) or year_in(fixed_data[7:11])
    return ArrivalRecord(
        title=title,
        source=source,
        authors=distinct(_values(record, "100", "a") + _values(record, "700", "a")),
        publisher=tidy(publication.get("b")) if publication else None,
        place=tidy(publication.get("a")) if publication else None,
        year=year,
        isbns=normalise_all(_values(record, "020", "a")),
        control_number=_control_number(record),
        description=tidy(_first(record, "520", "a"), MAX_DESCRIPTION),
        headings=distinct(_heading(f) for f in record.get_fields("650", "651", "653")),
    )


def _rusmarc_author(field: Field) -> str | None:
    """«Иванов, И. И.» from 700/701/702 $a (surname) and $b (initials) or $g (forenames)."""
    surname = field.get("a")
    if not surname:
        return None
    forenames = field.get("g") or field.get("b")
    return f"{surname.strip()}, {forenames.strip()}" if forenames else surname


def _rusmarc(record: Record, source: str) -> ArrivalRecord | None:
    title = tidy(" : ".join(_values(record, "200", "a", "e")), MAX_TITLE)
    if title is None:
        return None
    imprint = record.get_fields("210") or record.get_fields("214")
    publication = imprint[0] if imprint else None
    general = _first(record, "100", "a") or ""
    authors: Sequence[str | None] = [
        _rusmarc_author(field) for field in record.get_fields("700", "701", "702", "710")
    ]
    if not any(authors):
        authors = _values(record, "200", "f")
    return ArrivalRecord(
        title=title,
        source=source,
        authors=distinct(authors),
        publisher=tidy(publication.get("c")) if publication else None,
        place=tidy(publication.get("a")) if publication else None,
        year=year_in(publication.get("d") if publication else None) or year_in(general[9:13]),
        isbns=normalise_all(_values(record, "010", "a")),
        control_number=_control_number(record),
        description=tidy(_first(record, "330", "a"), MAX_DESCRIPTION),
        headings=distinct(
            [_heading(f) for f in record.get_fields("606", "607")] + _values(record, "610", "a")
        ),
    )
