"""MARC21 and RUSMARC, as ISO 2709 and as MARCXML, in the encodings catalogues export."""

from __future__ import annotations

import pytest

from bot.arrivals.formats import reader_for
from bot.arrivals.marc import read_iso2709, read_marcxml
from bot.arrivals.parsed import Parsed, Unreadable
from storage.arrival_models import ArrivalRecord, Reason, Rejection
from tests.arrivals.marc_samples import (
    CARDIOLOGY_ISBN_10,
    iso2709,
    marc21,
    marcxml,
    rusmarc,
)

ISBN_13 = "9785970400005"


def records(parsed: list[Parsed]) -> list[ArrivalRecord]:
    assert all(isinstance(p, ArrivalRecord) for p in parsed), parsed
    return [p for p in parsed if isinstance(p, ArrivalRecord)]


def test_marc21_iso2709_in_utf8() -> None:
    data = iso2709(marc21("Heart failure", number="M1", isbn="978-5-9704-0000-5"))
    assert reader_for(data) is not None and reader_for(data)[0] == "ISO 2709"  # type: ignore[index]
    (record,) = records(list(read_iso2709(data, "new.mrc")))
    assert record == ArrivalRecord(
        title="Heart failure",
        source="new.mrc",
        authors=("Smith, John",),
        publisher="Springer",
        place="New York",
        year=2024,
        isbns=(ISBN_13,),
        control_number="M1",
        description="A handbook for practitioners",
        headings=("Cardiology -- Handbooks",),
    )


def test_marc21_iso2709_in_marc8_decodes_its_diacritics() -> None:
    # MARC-8 writes «é» as the combining acute (0xE2) before the letter.
    record = marc21("Caf\xe2e society", number="M2", utf8=False, author="Pasteur, Louis")
    (parsed,) = records(list(read_iso2709(iso2709(record, encoding="latin-1"), "old.mrc")))
    assert parsed.title == "Café society"


def test_marc21_marcxml() -> None:
    data = marcxml(marc21("Clinical oncology", number="M3", subject="Oncology"))
    assert reader_for(data)[0] == "MARCXML"  # type: ignore[index]
    (record,) = records(list(read_marcxml(data, "new.xml")))
    assert (record.title, record.year, record.headings) == (
        "Clinical oncology",
        2024,
        ("Oncology -- Handbooks",),
    )


def test_rusmarc_iso2709_in_windows_1251_as_irbis64_exports_it() -> None:
    data = iso2709(
        rusmarc("Кардиология", number="RU1", isbn=CARDIOLOGY_ISBN_10),
        rusmarc("Неврология", number="RU2", subject="Неврология"),
        encoding="cp1251",
    )
    assert "Кардиология".encode("cp1251") in data
    first, second = records(list(read_iso2709(data, "irbis.iso")))
    assert first == ArrivalRecord(
        title="Кардиология : учебное пособие",
        source="irbis.iso",
        authors=("Иванов, И. И.",),
        publisher="ГЭОТАР-Медиа",
        place="Москва",
        year=2025,
        isbns=(ISBN_13,),
        control_number="RU1",
        description="Современные методы диагностики и лечения",
        headings=("Кардиология -- Руководства",),
    )
    assert second.title.startswith("Неврология") and second.headings == (
        "Неврология -- Руководства",
    )


def test_rusmarc_iso2709_in_utf8() -> None:
    data = iso2709(rusmarc("Онкология", number="RU3", year="2023"))
    (record,) = records(list(read_iso2709(data, "utf8.iso")))
    assert (record.title, record.year, record.authors) == (
        "Онкология : учебное пособие",
        2023,
        ("Иванов, И. И.",),
    )


def test_rusmarc_marcxml() -> None:
    data = marcxml(rusmarc("Педиатрия", number="RU4", isbn="978-5-9704-0000-5"))
    (record,) = records(list(read_marcxml(data, "rusmarc.xml")))
    assert (record.title, record.isbns, record.place) == (
        "Педиатрия : учебное пособие",
        (ISBN_13,),
        "Москва",
    )


def test_broken_records_are_rejected_and_the_good_ones_read() -> None:
    good = iso2709(rusmarc("Хирургия", number="RU5"), encoding="cp1251")
    untitled = iso2709(rusmarc("", number="RU6"), encoding="cp1251")
    damaged = bytearray(iso2709(rusmarc("Терапия", number="RU7"), encoding="cp1251"))
    damaged[12:17] = b"ABCDE"  # the base address of the fields is gone
    last = iso2709(marc21("Surgery", number="M8"))
    parsed = list(read_iso2709(good + untitled + bytes(damaged) + last, "mixed.iso"))
    assert [type(p).__name__ for p in parsed] == [
        "ArrivalRecord",
        "Rejection",
        "Rejection",
        "ArrivalRecord",
    ]
    assert parsed[1] == Rejection(2, Reason.NO_TITLE)
    assert isinstance(parsed[2], Rejection) and parsed[2].reason is Reason.BROKEN_RECORD
    assert parsed[2].number == 3


def test_records_with_a_wrong_length_or_no_terminator_cost_only_themselves() -> None:
    first = iso2709(marc21("Surgery", number="M9"))
    no_terminator = iso2709(marc21("Oncology", number="M10"))[:-1]
    garbage = b"abcde garbage\x1d"
    wrong_length = b"00001" + iso2709(marc21("Neurology", number="M11"))[5:]
    parsed = list(read_iso2709(first + garbage + wrong_length + no_terminator, "cut.mrc"))
    assert [p.title if isinstance(p, ArrivalRecord) else p.reason for p in parsed] == [
        "Surgery",
        Reason.BROKEN_RECORD,
        "Neurology",
        "Oncology",
    ]
    assert isinstance(parsed[1], Rejection) and parsed[1].number == 2


def test_broken_xml_is_unreadable() -> None:
    with pytest.raises(Unreadable):
        list(read_marcxml(b"<collection><record><datafield", "bad.xml"))
