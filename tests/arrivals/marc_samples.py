"""MARC records built with pymarc for the import tests: MARC21 and RUSMARC, written as
ISO 2709 (UTF-8, MARC-8 or Windows-1251) and as MARCXML."""

from __future__ import annotations

import io

import pymarc
from pymarc import Field, Indicators, Record, Subfield

CARDIOLOGY_ISBN_10 = "5-9704-0000-9"
"""Not a real book: a valid ISBN-10 whose ISBN-13 is :data:`CARDIOLOGY_ISBN_13`."""
CARDIOLOGY_ISBN_13 = "978-5-9704-0000-5"


def _subfields(**values: str) -> list[Subfield]:
    return [Subfield(code, value) for code, value in values.items()]


def _field(tag: str, **values: str) -> Field:
    return Field(tag=tag, indicators=Indicators(" ", "1"), subfields=_subfields(**values))


def marc21(
    title: str,
    *,
    number: str,
    isbn: str | None = None,
    author: str = "Smith, John",
    year: str = "2024",
    subject: str = "Cardiology",
    utf8: bool = True,
) -> Record:
    record = Record(leader="00000nam a2200000 a 4500" if utf8 else "00000nam  2200000 a 4500")
    record.fields.append(Field(tag="001", data=number))
    if isbn:
        record.fields.append(_field("020", a=isbn))
    record.fields.append(_field("100", a=author))
    if title:
        record.fields.append(_field("245", a=f"{title} /"))
    record.fields.append(_field("264", a="New York :", b="Springer,", c=f"c{year}."))
    record.fields.append(_field("520", a="A handbook for practitioners."))
    record.fields.append(_field("650", a=subject, x="Handbooks"))
    return record


def rusmarc(
    title: str,
    *,
    number: str,
    isbn: str | None = None,
    year: str = "2025",
    subject: str = "Кардиология",
) -> Record:
    record = Record(leader="00000nam0 2200000   450 ")
    record.fields.append(Field(tag="001", data=number))
    if isbn:
        record.fields.append(_field("010", a=isbn))
    record.fields.append(_field("100", a=f"20250101d{year}    u  y0rusy50      ca"))
    if title:
        record.fields.append(_field("200", a=title, e="учебное пособие", f="И. И. Иванов"))
    record.fields.append(_field("210", a="Москва", c="ГЭОТАР-Медиа", d=year))
    record.fields.append(_field("330", a="Современные методы диагностики и лечения."))
    record.fields.append(_field("606", a=subject, x="Руководства"))
    record.fields.append(_field("700", a="Иванов", b="И. И."))
    return record


def iso2709(*records: Record, encoding: str = "utf-8") -> bytes:
    """The records in ISO 2709 with their text in ``encoding``: «utf-8» (leader 09 «a»), or
    a single-byte one such as «cp1251» with leader 09 blank. For MARC-8, pass «latin-1» and
    values already written in MARC-8 bytes (one character per byte)."""
    out = bytearray()
    for record in records:
        if encoding != "utf-8":
            record = _single_byte(record, encoding)
        out += record.as_marc()
    return bytes(out)


def _single_byte(record: Record, encoding: str) -> Record:
    """A copy whose values, encoded as latin-1 by pymarc, come out as ``encoding`` bytes."""

    def transcode(value: str) -> str:
        return value.encode(encoding).decode("latin-1")

    leader = str(record.leader)
    copy = Record(leader=leader[:9] + " " + leader[10:], to_unicode=False)
    for field in record.fields:
        if field.is_control_field():
            copy.fields.append(Field(tag=field.tag, data=transcode(field.data or "")))
        else:
            copy.fields.append(
                Field(
                    tag=field.tag,
                    indicators=field.indicators,
                    subfields=[Subfield(s.code, transcode(s.value)) for s in field.subfields],
                )
            )
    return copy


def marcxml(*records: Record) -> bytes:
    buffer = io.BytesIO()
    writer = pymarc.XMLWriter(buffer)
    for record in records:
        writer.write(record)
    writer.close(close_fh=False)
    return buffer.getvalue()
