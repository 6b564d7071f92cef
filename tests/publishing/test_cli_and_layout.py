"""The CSV calendar from the command line, and how posts are cut for each platform."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.__main__ import main
from handlers.core.text_split import split_text, utf16_length
from handlers.publishing.layout import pieces
from handlers.publishing.posts import Image, Poll, Post
from storage.database import Storage
from storage.models import Platform


def test_the_calendar_command_loads_a_csv_and_reports_bad_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.chdir(tmp_path)
    calendar = tmp_path / "dates.csv"
    calendar.write_text(
        "date,text,image_url\n2999-04-07,Всемирный день здоровья,https://example.org/who.png\n"
        "07.04,Повтор,\nникогда,Плохо,\n",
        encoding="utf-8",
    )

    assert main(["calendar", str(calendar)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "added 2, already there 0",
        "line 4: bad date",
    ]
    assert main(["calendar", str(calendar)]) == 0
    assert capsys.readouterr().out.startswith("added 0, already there 2")


async def test_loaded_dates_wait_for_their_day(tmp_path: Path) -> None:
    from bot.publishing.cli import load_calendar
    from bot.settings import Settings

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    settings = Settings(_env_file=None, database_url=url, calendar_post_time="08:30")
    path = tmp_path / "dates.csv"
    path.write_text("date,text\n01.03,Весна\n2030-03-01,Прошло\n", encoding="utf-8")
    clock = lambda: datetime(2030, 3, 2, 12, 0, tzinfo=UTC)  # noqa: E731

    result = await load_calendar(settings, path, clock)

    assert result.rejected == ((3, "date"),)

    async with Storage.open(url) as storage:
        [entry] = await storage.calendar.upcoming()
    # 1 March has passed this year: the next one, at 08:30 in Moscow.
    assert entry.due_at == datetime(2031, 3, 1, 5, 30, tzinfo=UTC)


@given(st.text(min_size=0, max_size=12_000), st.integers(min_value=20, max_value=5000))
def test_split_text_keeps_every_word_within_the_limit(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(0 < utf16_length(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_albums_never_have_a_lone_photo_and_vk_posts_hold_ten() -> None:
    post = Post(text="Выставка", images=tuple(Image(url=f"https://c/{n}") for n in range(11)))

    telegram = pieces(post, Platform.TELEGRAM)
    vk = pieces(post, Platform.VK)

    assert [len(p.images) for p in telegram] == [9, 2]
    assert telegram[0].images[0].caption == "Выставка"
    assert [len(p.images) for p in vk] == [10, 1]
    assert vk[0].text == "Выставка" and vk[1].text == ""


def test_a_poll_with_text_is_text_then_poll_on_telegram_and_one_wall_post_on_vk() -> None:
    post = Post(text="Опрос недели", poll=Poll("Как вам?", ("Да", "Нет")))

    assert pieces(post, Platform.TELEGRAM) == [
        Post(text="Опрос недели"),
        Post(poll=Poll("Как вам?", ("Да", "Нет"))),
    ]
    assert pieces(post, Platform.VK) == [post]
