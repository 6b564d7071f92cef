"""CSV as spreadsheets save it: «;» or «,», with or without a BOM, Russian or English
column names."""

from __future__ import annotations

import pytest

from bot.arrivals.csvfile import read_csv
from bot.arrivals.formats import reader_for
from bot.arrivals.parsed import Unreadable
from storage.arrival_models import ArrivalRecord, Reason, Rejection

SEMICOLON = (
    "Название;Авторы;Год;ISBN;Темы;Аннотация\r\n"
    "Кардиология;Шляхто, Е. В. | Иванов, И. И.;2025;978-5-9704-0000-5;"
    "Кардиология | Болезни сердца;Национальное руководство\r\n"
)


def test_semicolons_with_a_bom_and_russian_headers() -> None:
    data = "\ufeff".encode() + SEMICOLON.encode()
    assert reader_for(data)[0] == "CSV"  # type: ignore[index]
    (record,) = list(read_csv(data, "list.csv"))
    assert record == ArrivalRecord(
        title="Кардиология",
        source="list.csv",
        authors=("Шляхто, Е. В.", "Иванов, И. И."),
        year=2025,
        isbns=("9785970400005",),
        description="Национальное руководство",
        headings=("Кардиология", "Болезни сердца"),
    )


def test_commas_without_a_bom_and_english_headers() -> None:
    data = (
        b"title,authors,year,isbn,subjects,id\n"
        b'"Surgery, 3rd ed.","Smith, J.",2024,0-306-40615-2,surgery;oncology,S-1\n'
    )
    (record,) = list(read_csv(data, "list.csv"))
    assert isinstance(record, ArrivalRecord)
    assert (record.title, record.authors, record.isbns, record.headings) == (
        "Surgery, 3rd ed",
        ("Smith, J.",),
        ("9780306406157",),
        ("surgery", "oncology"),
    )
    assert record.control_number == "S-1"


def test_windows_1251_from_an_older_excel_is_read_too() -> None:
    (record,) = list(read_csv(SEMICOLON.encode("cp1251"), "old.csv"))
    assert isinstance(record, ArrivalRecord) and record.title == "Кардиология"


def test_bad_rows_are_rejected_and_the_rest_read() -> None:
    data = (
        "title;year\nНеврология;2024\n;2023\n\nОнкология;2025;лишнее\nПедиатрия;не год\n"
    ).encode()
    parsed = list(read_csv(data, "bad.csv"))
    assert parsed[0] == ArrivalRecord(title="Неврология", source="bad.csv", year=2024)
    assert parsed[1] == Rejection(2, Reason.NO_TITLE)
    assert parsed[2] == Rejection(3, Reason.TOO_MANY_CELLS, "3/2")
    assert parsed[3] == ArrivalRecord(title="Педиатрия", source="bad.csv")


def test_a_file_without_a_title_column_is_not_csv() -> None:
    assert reader_for(b"name;year\nx;2024\n") is None
    with pytest.raises(Unreadable):
        list(read_csv(b"name;year\n", "x.csv"))
