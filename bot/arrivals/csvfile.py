"""CSV files of new arrivals, as a spreadsheet saves them.

The first row names the columns (any order, any case; English or Russian names, see
:data:`COLUMNS` and the README). Only ``title`` is required. The delimiter is «;» (what Excel
writes in Russian locales) or «,», told from the header row. The text is UTF-8, with or
without a byte order mark; Windows-1251, what older Excel versions save, is accepted too.
Several authors, ISBNs or subjects in one cell are separated by «|» (or by «;» when the
delimiter is «,»).
"""

from __future__ import annotations

import csv
import io

from bot.arrivals.parsed import MAX_DESCRIPTION, MAX_TITLE, Records, Unreadable, tidy, year_in
from storage.arrival_models import ArrivalRecord, Reason, Rejection
from storage.isbn import normalise_all

COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "название", "заглавие"),
    "authors": ("authors", "author", "авторы", "автор"),
    "year": ("year", "год"),
    "isbn": ("isbn",),
    "publisher": ("publisher", "издательство"),
    "place": ("place", "место", "место издания"),
    "subjects": ("subjects", "subject", "темы", "тема", "рубрики"),
    "description": ("description", "annotation", "аннотация", "описание"),
    "cover": ("cover", "обложка"),
    "id": ("id", "control_number", "номер", "шифр"),
}
"""Each column's canonical name and the header names that mean it."""

_ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def _delimiter(header: str) -> str:
    return ";" if header.count(";") >= header.count(",") else ","


def header_columns(data: bytes) -> list[str | None] | None:
    """The canonical names of the header's columns (None for an unknown one), or None when
    ``data`` does not start with a header naming a title column."""
    try:
        first = _text(data[:4096]).splitlines()[0] if data else ""
    except (UnicodeDecodeError, IndexError):
        return None
    names = next(csv.reader([first], delimiter=_delimiter(first)), [])
    columns = [_ALIASES.get(name.strip().lower()) for name in names]
    return columns if "title" in columns else None


def _split(cell: str, delimiter: str) -> list[str]:
    separators = "|" if delimiter == ";" else "|;"
    parts = [cell]
    for separator in separators:
        parts = [piece for part in parts for piece in part.split(separator)]
    return [part.strip() for part in parts if part.strip()]


def read_csv(data: bytes, source: str) -> Records:
    """Every data row of the file as a record; a row without a title, or with more cells
    than the header has columns, is rejected."""
    columns = header_columns(data)
    if columns is None:
        raise Unreadable(Reason.UNKNOWN_FORMAT)
    text = _text(data)
    delimiter = _delimiter(text.splitlines()[0])
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(rows)
    number = 0
    try:
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            number += 1
            if len(row) > len(columns):
                yield Rejection(number, Reason.TOO_MANY_CELLS, f"{len(row)}/{len(columns)}")
                continue
            cells = {name: cell for name, cell in zip(columns, row, strict=False) if name}
            record = _record(cells, delimiter, source)
            yield record if record is not None else Rejection(number, Reason.NO_TITLE)
    except csv.Error as error:
        yield Rejection(number + 1, Reason.BROKEN_CSV, str(error)[:100])


def _record(cells: dict[str, str], delimiter: str, source: str) -> ArrivalRecord | None:
    title = tidy(cells.get("title"), MAX_TITLE)
    if title is None:
        return None
    return ArrivalRecord(
        title=title,
        source=source,
        authors=tuple(_split(cells.get("authors", ""), delimiter)),
        publisher=tidy(cells.get("publisher")),
        place=tidy(cells.get("place")),
        year=year_in(cells.get("year")),
        isbns=normalise_all(_split(cells.get("isbn", ""), delimiter)),
        control_number=tidy(cells.get("id"), 64),
        description=tidy(cells.get("description"), MAX_DESCRIPTION),
        cover=tidy(cells.get("cover"), 1000),
        headings=tuple(_split(cells.get("subjects", ""), delimiter)),
    )
