"""Full-text search over tickets, the same contract on SQLite (FTS5 with Snowball stems) and
PostgreSQL (``tsvector('russian')``)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from storage.database import Storage
from storage.models import Address, Platform, Reader, Ticket, TicketMessageKind
from storage.schema import TICKET_SEARCH_TABLE
from storage.search import FIELDS
from tests.storage.tickets_support import open_ticket


async def _ask(storage: Storage, ticket: Ticket, body: str | None) -> int:
    added = await storage.tickets.add_message(ticket.id, TicketMessageKind.READER, body)
    return added.id


async def _found(storage: Storage, query: str) -> list[tuple[int, int]]:
    found = await storage.tickets.search(query)
    return [(hit.ticket_id, hit.message_id) for hit in found.hits]


@pytest.mark.parametrize("query", ["книга", "книги", "книгу", "КНИГАМИ", "книгах"])
async def test_every_form_of_a_russian_word_matches(
    storage: Storage, reader: Reader, query: str
) -> None:
    ticket = await open_ticket(storage, reader, fields={})
    asked = await _ask(storage, ticket, "Ищу книги по неврологии для ординаторов")
    await _ask(storage, ticket, "Спасибо!")

    assert await _found(storage, query) == [(ticket.id, asked)]


WORD_FORMS = {
    "книга": ["книга", "книги", "книгам", "книгами", "книгу"],
    "исследование": ["исследование", "исследования", "исследованиям", "исследованием"],
    "ёлка": ["ёлка", "ёлки", "елкам"],
}


@pytest.mark.parametrize(
    ("lemma", "query"), [(lemma, form) for lemma, forms in WORD_FORMS.items() for form in forms]
)
async def test_each_form_finds_every_other_form(
    storage: Storage, reader: Reader, lemma: str, query: str
) -> None:
    """A stem stemmed again can lose letters («исследован» becomes «исследова»), so each
    database must stem the query's words once, as it stemmed the text."""
    ticket = await open_ticket(storage, reader, fields={})
    expected = [await _ask(storage, ticket, f"Вопрос: {form}?") for form in WORD_FORMS[lemma]]
    await _ask(storage, ticket, "Вопрос без этого слова")

    assert sorted(message for _, message in await _found(storage, query)) == sorted(expected)


async def test_singular_finds_plural_and_every_word_must_match(
    storage: Storage, reader: Reader
) -> None:
    diabetes = await open_ticket(storage, reader, fields={})
    diabetes_message = await _ask(storage, diabetes, "Нужны статьи о диабете у детей")
    other = await open_ticket(storage, reader, 1, fields={})
    other_message = await _ask(storage, other, "Статья про гипертонию, 2021 год")

    assert sorted(await _found(storage, "статья")) == sorted(
        [(diabetes.id, diabetes_message), (other.id, other_message)]
    )
    assert await _found(storage, "статьи о диабете") == [(diabetes.id, diabetes_message)]
    assert await _found(storage, "статья диабет") == [(diabetes.id, diabetes_message)]
    assert await _found(storage, "статья о гипертонии") == [(other.id, other_message)]
    assert await _found(storage, "диабет гипертония") == []


async def test_english_words_are_stemmed_too(storage: Storage, reader: Reader) -> None:
    ticket = await open_ticket(storage, reader, fields={})
    asked = await _ask(storage, ticket, "Looking for reviews of running injuries, Lancet 2019")

    assert await _found(storage, "review") == [(ticket.id, asked)]
    assert await _found(storage, "injury runs") == [(ticket.id, asked)]
    assert await _found(storage, "lancet") == [(ticket.id, asked)]
    assert await _found(storage, "pubmed") == []


async def test_form_fields_are_searched_with_message_id_zero(
    storage: Storage, reader: Reader
) -> None:
    ticket = await open_ticket(
        storage,
        reader,
        fields={"topic": "Сердечная недостаточность", "sources": ["журналы", "монографии"]},
    )

    [hit] = (await storage.tickets.search("монография")).hits

    assert (hit.ticket_id, hit.message_id) == (ticket.id, FIELDS)
    assert "монографии" in hit.snippet
    assert await _found(storage, "сердечной недостаточности") == [(ticket.id, FIELDS)]


async def test_best_match_comes_first(storage: Storage, reader: Reader) -> None:
    passing = await open_ticket(storage, reader, fields={})
    await _ask(
        storage,
        passing,
        "Прошу подобрать литературу по педиатрии, неонатологии, вакцинации, "
        "инфекционным болезням, эпидемиологии и, возможно, по диабету.",
    )
    focused = await open_ticket(storage, reader, 1, fields={})
    focused_message = await _ask(storage, focused, "Диабет: диабет первого типа, диабет у детей")

    hits = await _found(storage, "диабет")

    assert hits[0] == (focused.id, focused_message)
    assert len(hits) == 2


async def test_snippet_is_short_and_around_the_match(storage: Storage, reader: Reader) -> None:
    ticket = await open_ticket(storage, reader, fields={})
    long_text = "вступление " * 60 + "нужны клинические рекомендации по инсульту " + "хвост " * 60
    await _ask(storage, ticket, long_text)

    [hit] = (await storage.tickets.search("рекомендация")).hits

    assert len(hit.snippet) <= 200
    assert "клинические рекомендации по инсульту" in hit.snippet
    assert hit.snippet.startswith("…")
    assert hit.snippet.endswith("…")


async def test_limit_and_messages_without_text(storage: Storage, reader: Reader) -> None:
    for minute in range(5):
        ticket = await open_ticket(storage, reader, minute, fields={})
        await _ask(storage, ticket, "вопрос о вакцинации")
        await _ask(storage, ticket, None)

    three = await storage.tickets.search("вакцинация", limit=3)
    assert (len(three.hits), three.ranked, three.more) == (3, 5, False)
    assert len((await storage.tickets.search("вакцинация")).hits) == 5
    assert (await storage.tickets.search("вакцинация", limit=0)).hits == []


HOSTILE = [
    "",
    "   ",
    '"',
    '"книга',
    "книга*",
    "*",
    "NEAR(книга статья)",
    "книга OR статья",
    "книга AND NOT статья",
    "книга -статья",
    "^книга",
    "stems:книга",
    "{stems}: книга",
    "книга + статья",
    "a' OR '1'='1",
    "'; DROP TABLE tickets; --",
    "(((",
    "\x00книга\x00",
    "\ud800книга",
    "о и в на",
    "the and or",
    "всегда нельзя",
    "книга " * 2000,
    "ы" * 10_000,
    "🙂📚",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_queries_never_raise(storage: Storage, reader: Reader, query: str) -> None:
    ticket = await open_ticket(storage, reader, fields={"topic": "книга"})
    await _ask(storage, ticket, "книга и статья")

    found = await storage.tickets.search(query)

    assert all(hit.ticket_id == ticket.id for hit in found.hits)
    assert await storage.tickets.get(ticket.id) is not None


async def test_operators_are_read_as_words(storage: Storage, reader: Reader) -> None:
    ticket = await open_ticket(storage, reader, fields={})
    asked = await _ask(storage, ticket, "книга и статья")

    assert await _found(storage, '"книги" NEAR статьи*') == []
    assert await _found(storage, '"книги" статьи*') == [(ticket.id, asked)]
    assert await _found(storage, "книга -статья") == [(ticket.id, asked)]


async def _search_rows(storage: Storage) -> int | None:
    """How many rows the FTS5 table holds (None on PostgreSQL, which has no such table)."""
    if storage.engine.dialect.name != "sqlite":
        return None
    async with storage.engine.connect() as conn:
        count = (await conn.execute(text(f"SELECT count(*) FROM {TICKET_SEARCH_TABLE}"))).scalar()
    return int(count or 0)


async def test_forgetting_a_reader_removes_their_text_from_search(
    storage: Storage, reader: Reader
) -> None:
    other = await storage.readers.create(Address(Platform.VK, 2), "ru")
    gone = await open_ticket(storage, reader, fields={"topic": "туберкулез"})
    await _ask(storage, gone, "статьи о туберкулезе")
    kept = await open_ticket(storage, other, 1, fields={"topic": "туберкулез"})
    kept_message = await _ask(storage, kept, "книги о туберкулезе")
    before = await _search_rows(storage)

    await storage.readers.forget(reader.id)

    assert sorted(await _found(storage, "туберкулез")) == [
        (kept.id, FIELDS),
        (kept.id, kept_message),
    ]
    assert await _found(storage, "статья") == []
    if before is not None:
        assert await _search_rows(storage) == before - 2


async def test_only_the_newest_matches_are_ranked(storage: Storage, reader: Reader) -> None:
    ticket = await open_ticket(storage, reader, fields={})
    focused = await _ask(storage, ticket, "Диабет: диабет первого типа, диабет у детей")
    passing = [
        await _ask(storage, ticket, f"Литература по педиатрии, неонатологии и диабету, {n}")
        for n in range(4)
    ]

    everything = await storage.tickets.search("диабет", limit=2)
    newest = await storage.tickets.search("диабет", limit=2, window=3)
    all_five = await storage.tickets.search("диабет", limit=2, window=5)

    assert everything.hits[0].message_id == focused
    assert (everything.ranked, everything.more) == (5, False)
    assert {hit.message_id for hit in newest.hits} <= set(passing[1:])
    assert (len(newest.hits), newest.ranked, newest.more) == (2, 3, True)
    assert (all_five.hits[0].message_id, all_five.ranked, all_five.more) == (focused, 5, False)
    narrowed = await storage.tickets.search("диабет первого типа", window=3)
    assert [hit.message_id for hit in narrowed.hits] == [focused]
