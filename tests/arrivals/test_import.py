"""Whole imports: the format told from the content, de-duplication across formats and on a
re-import, subjects mapped, and a summary that names every rejected record."""

from __future__ import annotations

from bot.arrivals.importer import ArrivalImporter
from handlers.arrivals.summary import REASON_TEXTS, summary_text
from handlers.core.i18n import Catalog
from storage.arrival_models import Reason, Rejection
from storage.database import Storage
from tests.arrivals.marc_samples import CARDIOLOGY_ISBN_10, iso2709, marc21, marcxml, rusmarc


async def test_the_same_book_from_marc21_rusmarc_and_csv_is_one_arrival(
    storage: Storage, importer: ArrivalImporter
) -> None:
    from_irbis = iso2709(
        rusmarc("Кардиология", number="RU1", isbn=CARDIOLOGY_ISBN_10), encoding="cp1251"
    )
    from_koha = marcxml(marc21("Cardiology", number="K1", isbn="978-5-9704-0000-5"))
    from_excel = "title;isbn;subjects\nКардиология;9785970400005;Кардиология -- Руководства\n"

    first = await importer.import_bytes(from_irbis, "irbis.iso")
    second = await importer.import_bytes(from_koha, "koha.xml")
    third = await importer.import_bytes(from_excel.encode(), "list.csv")

    assert (first.added, second.updated, third.duplicates) == (1, 1, 1)
    page = await storage.arrivals.latest(0, 10)
    assert page.total == 1
    (arrival,) = page.items
    assert arrival.record.source == "irbis.iso"
    assert arrival.title == "Кардиология : учебное пособие"
    assert arrival.record.headings == ("Кардиология -- Руководства", "Cardiology -- Handbooks")
    assert arrival.record.subjects == ("cardiology",)


async def test_a_reimport_updates_and_never_duplicates(
    storage: Storage, importer: ArrivalImporter
) -> None:
    before = iso2709(rusmarc("Неврология", number="RU2", year="2024"), encoding="cp1251")
    after = iso2709(rusmarc("Неврология", number="RU2", year="2025"), encoding="cp1251")
    assert (await importer.import_bytes(before, "irbis.iso")).added == 1
    assert (await importer.import_bytes(before, "irbis.iso")).duplicates == 1
    again = await importer.import_bytes(after, "irbis.iso")
    assert (again.added, again.updated) == (0, 1)
    (arrival,) = (await storage.arrivals.latest(0, 10)).items
    assert arrival.record.year == 2025


async def test_a_file_with_broken_records_imports_the_good_ones_and_reports_the_bad(
    storage: Storage, importer: ArrivalImporter
) -> None:
    damaged = bytearray(iso2709(rusmarc("Терапия", number="RU7"), encoding="cp1251"))
    damaged[12:17] = b"ABCDE"
    data = (
        iso2709(rusmarc("Хирургия", number="RU5", subject="Хирургия"), encoding="cp1251")
        + iso2709(rusmarc("", number="RU6"), encoding="cp1251")
        + bytes(damaged)
        + iso2709(rusmarc("Онкология", number="RU8", subject="Онкология"), encoding="cp1251")
    )
    summary = await importer.import_bytes(data, "mixed.iso")

    assert (summary.added, summary.updated, summary.duplicates) == (2, 0, 0)
    assert summary.rejected[0] == Rejection(2, Reason.NO_TITLE)
    assert summary.rejected[1].number == 3
    assert not summary.read_nothing
    assert await storage.arrivals.subject_counts() == {"surgery": 1, "oncology": 1}
    text = summary_text(Catalog().translator("ru"), summary)
    assert text.splitlines()[0] == (
        "Импорт «mixed.iso»: добавлено 2, обновлено 0, дубликатов 0, отклонено 2."
    )
    assert text.splitlines()[1] == "Запись 2: нет заглавия"
    assert text.splitlines()[2].startswith("Запись 3: повреждённая запись ISO 2709 (")


async def test_an_unknown_format_reads_nothing(importer: ArrivalImporter) -> None:
    summary = await importer.import_bytes(b"%PDF-1.7 not a catalogue", "scan.pdf")
    assert summary.read_nothing and summary.unreadable is Reason.UNKNOWN_FORMAT
    assert summary_text(Catalog().translator("en"), summary) == (
        "“scan.pdf” could not be read: unknown format "
        "(expected MARC, MARCXML, CSV with a header, RSS or Atom)"
    )
    broken_xml = await importer.import_bytes(b"<collection><record><datafield", "bad.xml")
    assert broken_xml.unreadable is Reason.BAD_XML


def test_every_reason_has_a_text_in_both_languages() -> None:
    catalog = Catalog()
    assert set(REASON_TEXTS) == set(Reason)
    for language in ("ru", "en"):
        t = catalog.translator(language)
        assert all(t(msgid) != msgid for msgid in REASON_TEXTS.values())
