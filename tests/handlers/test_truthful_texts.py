"""Reader texts promise only what the bot does today, in one voice, with numbers in words that
agree with them and platforms under the names people know."""

from __future__ import annotations

import pytest

from handlers.core.config import LibraryProfile
from handlers.core.i18n import Catalog, characters, days_count, files_count, platform_name
from storage.models import Address, Platform
from tests.handlers.conftest import Desk, build_service
from tests.handlers.ticket_steps import consenting_reader

READER = Address(Platform.TELEGRAM, 42)


@pytest.mark.parametrize(
    ("n", "russian", "english"),
    [
        (1, "1 символ", "1 character"),
        (3, "3 символа", "3 characters"),
        (11, "11 символов", "11 characters"),
        (21, "21 символ", "21 characters"),
        (500, "500 символов", "500 characters"),
        (4000, "4000 символов", "4000 characters"),
    ],
)
def test_character_counts_agree_with_the_number(n: int, russian: str, english: str) -> None:
    catalog = Catalog()
    assert characters(catalog.translator("ru"), n) == russian
    assert characters(catalog.translator("en"), n) == english


def test_file_and_day_counts_agree_with_the_number() -> None:
    t = Catalog().translator("ru")
    assert [files_count(t, n) for n in (1, 2, 10)] == ["1 файл", "2 файла", "10 файлов"]
    assert [days_count(t, n) for n in (1, 3, 7, 22)] == ["1 день", "3 дня", "7 дней", "22 дня"]


def test_platforms_go_by_their_display_names() -> None:
    catalog = Catalog()
    russian, english = catalog.translator("ru"), catalog.translator("en")
    assert [platform_name(russian, p) for p in Platform] == ["Telegram", "ВКонтакте"]
    assert [platform_name(english, p) for p in Platform] == ["Telegram", "VK"]


async def test_an_over_long_message_is_measured_in_words_not_abbreviations(desk: Desk) -> None:
    await consenting_reader(desk, READER)
    reply = await desk.say(READER, "а" * 501)
    assert reply.text.startswith(
        "Сообщение слишком длинное: в нём 501 символ, а лимит — 500 символов."
    )
    assert "симв." not in reply.text


async def test_the_welcome_promises_no_reminders_and_no_new_arrivals(desk: Desk) -> None:
    reply = await desk.say(READER, "/start", language_code="ru")
    welcome = reply.text.split("\n\n")[0]
    assert welcome == (
        "Здравствуйте! Это справочная служба «Кузбасская научная медицинская библиотека». "
        "Здесь вы можете задать вопрос библиотекарю, следить за своими запросами и попросить "
        "продлить книги."
    )


async def test_new_arrivals_promise_no_subscription(desk: Desk) -> None:
    await desk.say(READER, "/start")
    reader = await desk.storage.readers.get(READER)
    assert reader is not None
    for language, expected in (
        ("ru", "Новых поступлений в списке пока нет."),
        ("en", "There are no new arrivals in the list yet."),
    ):
        await desk.storage.readers.set_language(reader.id, language)
        reply = await desk.press(READER, "menu:new")
        assert reply.text.startswith(expected)
        assert "появится" not in reply.text and "will appear" not in reply.text
        assert "подпис" not in reply.text and "subscri" not in reply.text


async def test_a_renewal_request_promises_the_answer_here_where_staff_now_give_it(
    desk: Desk,
) -> None:
    desk.service = build_service(
        desk.storage,
        desk.telegram,
        desk.vk,
        library=LibraryProfile(
            name="Библиотека", working_hours="Пн–Пт 09:00–18:00", contacts="+7 3842 00-00-00"
        ),
    )
    await consenting_reader(desk, READER)
    await desk.press(READER, "menu:loans")
    await desk.press(READER, "ln:ask")
    await desk.say(READER, "A-12345")
    await desk.press(READER, "form:renew:items:pick:all")

    reply = await desk.press(READER, "form:renew:confirm:send")

    assert reply.text == (
        "Заявка на продление №1 передана библиотекарю. Её рассмотрят в рабочее время "
        "(Пн–Пт 09:00–18:00); ответ с новым сроком возврата или с причиной отказа придёт сюда же, "
        "в этот чат."
    )
