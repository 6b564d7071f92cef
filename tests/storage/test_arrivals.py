"""The arrivals store, on SQLite and PostgreSQL alike: de-duplication, pages, subjects,
"added since", full-text search with Russian word forms, and feed validators."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from storage.arrival_models import ArrivalRecord, FeedState, Outcome
from storage.arrivals import ArrivalRepository
from storage.database import Storage
from storage.isbn import normalise
from tests.support.clock import SettableClock

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def book(title: str, **fields: object) -> ArrivalRecord:
    return replace(ArrivalRecord(title=title, source="test.mrc"), **fields)  # type: ignore[arg-type]


def repository(storage: Storage, clock: SettableClock) -> ArrivalRepository:
    return ArrivalRepository(storage.engine, clock)


async def test_the_isbn_10_and_13_of_one_book_are_one_arrival(storage: Storage) -> None:
    arrivals = repository(storage, SettableClock())
    isbn13 = normalise("978-5-9704-0000-5")
    assert isbn13 is not None and normalise("5-9704-0000-9") == isbn13
    first, stored = await arrivals.store(book("Кардиология", isbns=(isbn13,), source="a.mrc"))
    again, same = await arrivals.store(
        book("Кардиология: руководство", isbns=(isbn13,), source="b.csv", year=2025)
    )
    assert (first, again) == (Outcome.ADDED, Outcome.UPDATED)
    assert same.id == stored.id
    assert same.record.year == 2025 and same.record.source == "a.mrc"
    assert (await arrivals.latest(0, 10)).total == 1


async def test_control_number_and_source_or_title_and_year_find_the_same_book(
    storage: Storage,
) -> None:
    arrivals = repository(storage, SettableClock())
    _, stored = await arrivals.store(book("Хирургия", control_number="RU1", year=2024))
    outcome, same = await arrivals.store(book("Хирургия. 2-е изд.", control_number="RU1"))
    assert outcome is Outcome.UPDATED and same.id == stored.id
    outcome, by_title = await arrivals.store(
        book("  хирургия. 2-е ИЗД ", source="other.csv", year=2024)
    )
    assert outcome is Outcome.DUPLICATE and by_title.id == stored.id
    outcome, other_year = await arrivals.store(book("Хирургия. 2-е изд.", year=2020, source="x"))
    assert outcome is Outcome.ADDED and other_year.id != stored.id


async def test_a_reimport_of_the_same_record_is_a_duplicate(storage: Storage) -> None:
    arrivals = repository(storage, SettableClock())
    record = book("Неврология", authors=("Иванов, И. И.",), year=2025, subjects=("neurology",))
    assert (await arrivals.store(record))[0] is Outcome.ADDED
    assert (await arrivals.store(record))[0] is Outcome.DUPLICATE
    assert await arrivals.subject_counts() == {"neurology": 1}


async def test_pages_are_newest_first_and_filter_by_subject(storage: Storage) -> None:
    clock = SettableClock()
    arrivals = repository(storage, clock)
    for number in range(7):
        clock.now = START + timedelta(hours=number)
        subjects = ("cardiology",) if number % 2 == 0 else ("oncology",)
        await arrivals.store(book(f"Книга {number}", year=2020 + number, subjects=subjects))
    page = await arrivals.latest(0, 3)
    assert [a.title for a in page.items] == ["Книга 6", "Книга 5", "Книга 4"]
    assert page.total == 7
    last = await arrivals.latest(6, 3)
    assert [a.title for a in last.items] == ["Книга 0"]
    cardiology = await arrivals.latest(0, 10, "cardiology")
    assert [a.title for a in cardiology.items] == ["Книга 6", "Книга 4", "Книга 2", "Книга 0"]
    assert cardiology.total == 4
    assert (await arrivals.latest(0, 10, "surgery")).total == 0


async def test_added_since_serves_digests_with_or_without_subjects(storage: Storage) -> None:
    clock = SettableClock()
    arrivals = repository(storage, clock)
    await arrivals.store(book("Старая", subjects=("cardiology",)))
    clock.now = START + timedelta(days=1)
    await arrivals.store(book("Новая кардиология", subjects=("cardiology",)))
    await arrivals.store(book("Новая онкология", subjects=("oncology", "surgery")))
    since = START + timedelta(hours=1)
    assert [a.title for a in await arrivals.added_since(since)] == [
        "Новая кардиология",
        "Новая онкология",
    ]
    matching = await arrivals.added_since(since, {"surgery", "oncology"})
    assert [a.title for a in matching] == ["Новая онкология"]
    assert await arrivals.added_since(since, set()) == []


async def test_search_finds_other_russian_word_forms(storage: Storage) -> None:
    arrivals = repository(storage, SettableClock())
    await arrivals.store(book("Кардиология: национальное руководство", authors=("Шляхто, Е. В.",)))
    await arrivals.store(book("Детская хирургия", description="Операции у новорождённых"))
    await arrivals.store(book("Сестринское дело", headings=("Медицинские сёстры -- Уход",)))
    assert [a.title for a in await arrivals.search("кардиологии", 10)] == [
        "Кардиология: национальное руководство"
    ]
    assert [a.title for a in await arrivals.search("Шляхто", 10)] == [
        "Кардиология: национальное руководство"
    ]
    assert [a.title for a in await arrivals.search("операция новорожденного", 10)] == [
        "Детская хирургия"
    ]
    assert [a.title for a in await arrivals.search("уходом", 10)] == ["Сестринское дело"]
    assert await arrivals.search("кардиологии хирургия", 10) == []


async def test_search_survives_hostile_queries(storage: Storage) -> None:
    arrivals = repository(storage, SettableClock())
    await arrivals.store(book("Онкология"))
    for query in ('"', "*", "NEAR(a b)", "онко' OR 1=1 --", "", "...", "a" * 5000):
        assert isinstance(await arrivals.search(query, 10), list)
    assert await arrivals.search("онкологии", 0) == []


async def test_an_update_reindexes_the_search(storage: Storage) -> None:
    arrivals = repository(storage, SettableClock())
    await arrivals.store(book("Терапия", control_number="1"))
    await arrivals.store(book("Терапия", control_number="1", description="Пульмонология"))
    found = await arrivals.search("пульмонологии", 10)
    assert [a.title for a in found] == ["Терапия"]
    assert len(await arrivals.search("терапия", 10)) == 1


async def test_feed_validators_are_kept_per_feed(storage: Storage) -> None:
    arrivals = repository(storage, SettableClock())
    url = "http://127.0.0.1/feed.xml"
    assert await arrivals.feed_state(url) == FeedState()
    await arrivals.save_feed_state(url, FeedState('"v1"', "Mon, 23 Nov 2026 09:00:00 GMT"))
    await arrivals.save_feed_state(url, FeedState('"v2"', None))
    assert await arrivals.feed_state(url) == FeedState('"v2"', None)
    assert await arrivals.feed_state("http://other") == FeedState()


async def test_deleting_an_arrival_drops_it_from_search_and_subjects(storage: Storage) -> None:
    arrivals = repository(storage, SettableClock())
    _, stored = await arrivals.store(
        book("Педиатрия", subjects=("paediatrics",), isbns=("9785970400005",))
    )
    assert await arrivals.delete(stored.id)
    assert await arrivals.search("педиатрии", 10) == []
    assert await arrivals.subject_counts() == {}
    assert (await arrivals.store(book("Другая", isbns=("9785970400005",))))[0] is Outcome.ADDED


async def test_a_digest_reads_the_arrivals_first_added_in_its_window(storage: Storage) -> None:
    clock = SettableClock()
    arrivals = repository(storage, clock)
    _, before = await arrivals.store(book("До окна", control_number="1"))
    clock.now = START + timedelta(hours=1)
    _, at_start = await arrivals.store(book("В начале окна", control_number="2"))
    clock.now = START + timedelta(hours=2)
    _, inside = await arrivals.store(book("Внутри окна", control_number="3"))
    clock.now = START + timedelta(hours=3)
    await arrivals.store(book("В конце окна", control_number="4"))

    window = await arrivals.added_between(START + timedelta(hours=1), START + timedelta(hours=3))

    assert [a.id for a in window] == [at_start.id, inside.id]
    assert before.id not in [a.id for a in window]
