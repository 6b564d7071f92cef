"""Stems, query words and snippets for full-text search, without a database; the FTS5
expression built from any query is checked against SQLite itself."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from hypothesis import given
from hypothesis import strategies as st

from storage.search import match_expression
from storage.stems import MAX_QUERY_WORDS, field_text, query_stems, snippet, stem, stems


def test_russian_forms_share_a_stem() -> None:
    assert {stem(word) for word in ("книга", "книги", "книгу", "книгой", "Книгах")} == {"книг"}
    assert stem("статья") == stem("статьи") == stem("статей")
    assert stem("ёлка") == stem("елка")


def test_latin_words_use_the_english_stemmer() -> None:
    assert stem("Articles") == stem("article")
    assert stem("running") == "run"
    assert stem("2024") == "2024"


def test_stems_split_on_anything_but_letters_and_digits() -> None:
    assert stems("COVID-19: статьи_о\tдиабете!") == ["covid", "19", "стат", "о", "диабет"]


def test_query_stems_drop_stop_words_duplicates_and_syntax() -> None:
    assert query_stems('"статьи" о диабете OR NEAR(статья*)') == ["стат", "диабет", "near"]
    assert query_stems("о и в на the of") == []
    assert len(query_stems(" ".join(f"слово{n}" for n in range(100)))) == MAX_QUERY_WORDS


def test_field_text_reads_nested_string_answers() -> None:
    fields = {"topic": "Кардиология", "years": ["2020", {"to": "2024"}], "pages": 3, "x": ""}

    assert field_text(fields) == "Кардиология; 2020; 2024"


def test_short_text_is_its_own_snippet() -> None:
    assert snippet("  Нужна\nкнига  ", ["книг"]) == "Нужна книга"


def test_snippet_without_a_match_starts_at_the_beginning() -> None:
    cut = snippet("слово " * 100, ["книг"])

    assert cut.startswith("слово")
    assert cut.endswith("…")
    assert len(cut) <= 200


@given(st.text(max_size=2000), st.lists(st.text(max_size=10), max_size=3))
def test_snippets_never_exceed_the_width(body: str, query: list[str]) -> None:
    assert len(snippet(body, [stem(word) for word in query if word.isalnum()])) <= 200


@given(st.text(max_size=500))
def test_any_query_makes_a_valid_fts5_expression(query: str) -> None:
    wanted = query_stems(query)
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(stems)")
        conn.execute("INSERT INTO t VALUES ('книг стат')")
        if wanted:
            conn.execute("SELECT * FROM t WHERE t MATCH ?", (match_expression(wanted),)).fetchall()
