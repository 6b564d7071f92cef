"""Readers browse the new arrivals page by page and by subject, and search them by word in
any of its forms; forged or outdated page buttons get a clear answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from handlers.core.replies import Reply
from storage.arrival_models import ArrivalRecord
from storage.models import Address, Platform
from tests.handlers.conftest import Desk

READER = Address(Platform.TELEGRAM, 42)
VK_READER = Address(Platform.VK, 77)


async def add(desk: Desk, title: str, **fields: object) -> None:
    record = replace(ArrivalRecord(title=title, source="test.csv"), **fields)  # type: ignore[arg-type]
    await desk.storage.arrivals.store(record)
    desk.clock.now += timedelta(minutes=1)


async def twelve(desk: Desk) -> None:
    for number in range(1, 13):
        subjects = ("cardiology",) if number % 3 == 0 else ("oncology", "surgery")
        await add(
            desk,
            f"Книга {number}",
            authors=("Иванов, И. И.", "Петров, П. П.", "Сидоров, С. С.", "Орлов, О. О."),
            year=2020 + number % 6,
            subjects=subjects,
        )


def payloads(reply: Reply) -> list[str]:
    return [button.payload for button in reply.flat_buttons()]


def within_vk_limits(reply: Reply) -> bool:
    return len(reply.flat_buttons()) <= 10 and len(reply.buttons) <= 6


async def test_no_arrivals_says_so_and_promises_nothing(desk: Desk) -> None:
    reply = await desk.press(READER, "menu:new")
    assert reply.text.startswith("Новых поступлений в списке пока нет.")
    assert payloads(reply) == ["sub:home", "menu:main"]


async def test_the_latest_arrivals_page_by_page(desk: Desk) -> None:
    await twelve(desk)

    first = await desk.press(READER, "menu:new")
    assert first.text.split("\n\n")[:2] == [
        "Новые поступления: 1–5 из 12, сначала новые.",
        "1. Книга 12\n"
        "Авторы: Иванов, И. И., Петров, П. П., Сидоров, С. С. и др.\n"
        "Год издания: 2020\n"
        "Темы: Кардиология",
    ]
    assert "5. Книга 8" in first.text and "Книга 7" not in first.text
    assert payloads(first) == ["arr:p:1", "arr:sl:0", "arr:find", "sub:home", "menu:main"]

    second = await desk.press(READER, "arr:p:1")
    assert second.text.startswith("Новые поступления: 6–10 из 12")
    assert "6. Книга 7" in second.text
    assert payloads(second)[:2] == ["arr:p:0", "arr:p:2"]

    last = await desk.press(READER, "arr:p:2")
    assert last.text.startswith("Новые поступления: 11–12 из 12")
    assert "12. Книга 1\n" in last.text
    assert "Темы: Онкология, Хирургия" in last.text
    assert payloads(last)[0] == "arr:p:1" and "arr:p:3" not in payloads(last)
    assert all(within_vk_limits(r) for r in (first, second, last))
    assert desk.telegram.acknowledged == ["cb", "cb", "cb"]


async def test_browsing_by_subject(desk: Desk) -> None:
    await twelve(desk)
    subjects = await desk.press(READER, "arr:sl:0")
    assert subjects.text == "Выберите тему (в скобках — сколько поступлений):"
    labels = [button.text for button in subjects.flat_buttons()]
    assert labels[:3] == ["Кардиология (4)", "Онкология (8)", "Хирургия (8)"]
    cardiology = await desk.press(READER, "arr:s:cardiology:0")
    assert cardiology.text.startswith("Кардиология: поступления 1–4 из 4, сначала новые.")
    assert "Книга 12" in cardiology.text and "Книга 11" not in cardiology.text
    assert payloads(cardiology) == ["arr:sl:0", "sub:home", "menu:main"]
    empty = await desk.press(READER, "arr:s:nursing:0")
    assert empty.text == "По теме «Сестринское дело» новых поступлений пока нет."


async def test_forged_and_outdated_page_buttons_get_a_clear_answer(desk: Desk) -> None:
    await twelve(desk)
    for forged in ("arr:p:abc", "arr:p:99999999999999999999", "arr:p", "arr:zzz", "arr:p:1:2"):
        await desk.press(READER, forged)
        told, shown = desk.telegram.replies_to(READER)[-2:]
        assert told.text == "Этой страницы уже нет: список изменился. Вот что есть сейчас."
        assert shown.text.startswith("Новые поступления: 1–5 из 12")
    await desk.press(READER, "arr:p:40")
    told, shown = desk.telegram.replies_to(READER)[-2:]
    assert told.text.startswith("Этой страницы уже нет")
    assert shown.text.startswith("Новые поступления: 11–12 из 12")
    await desk.press(READER, "arr:s:no_such:0")
    told, shown = desk.telegram.replies_to(READER)[-2:]
    assert told.text == "Такой темы нет. Выберите тему из списка."
    assert shown.text.startswith("Выберите тему")


async def test_search_finds_another_russian_word_form(desk: Desk) -> None:
    await add(desk, "Кардиология: национальное руководство", year=2025)
    await add(desk, "Детская хирургия", description="Операции у новорождённых")

    prompt = await desk.press(READER, "arr:find")
    assert prompt.text.startswith("Напишите слово или несколько слов")
    found = await desk.say(READER, "кардиологии")
    assert found.text.split("\n\n") == [
        "Новые поступления по запросу «кардиологии»:",
        "1. Кардиология: национальное руководство\nГод издания: 2025",
    ]
    assert payloads(found) == ["arr:find", "arr:p:0", "menu:main"]

    await desk.press(READER, "arr:find")
    none = await desk.say(READER, "абракадабра")
    assert none.text.startswith("По запросу «абракадабра» среди новых поступлений ничего нет.")


async def test_a_query_without_words_keeps_the_search_open(desk: Desk) -> None:
    await add(desk, "Детская хирургия", description="Операции у новорождённых")
    await desk.press(READER, "arr:find")
    assert (await desk.say(READER, "?!")).text.startswith("В запросе нет слов для поиска.")
    found = await desk.say(READER, "операция новорожденного")
    assert "1. Детская хирургия" in found.text


async def test_leaving_the_search_ends_it(desk: Desk) -> None:
    await add(desk, "Онкология")
    await desk.press(READER, "arr:find")
    await desk.press(READER, "arr:p:0")
    state = await desk.storage.dialogs.load(
        (await desk.storage.readers.get(READER)).id  # type: ignore[union-attr]
    )
    assert state.flow is None


async def test_english_texts_and_a_vk_reader(desk: Desk) -> None:
    language = "en"
    await add(desk, "Clinical oncology", year=2024, subjects=("oncology",), authors=("Smith, J.",))
    await desk.say(VK_READER, "/start", language_code=language)
    reader = await desk.storage.readers.get(VK_READER)
    assert reader is not None
    await desk.storage.readers.set_language(reader.id, language)
    reply = await desk.press(VK_READER, "menu:new")
    assert reply.text == (
        "New arrivals: 1–1 of 1, newest first.\n\n"
        "1. Clinical oncology\nAuthors: Smith, J.\nPublished: 2024\nSubjects: Oncology"
    )
    assert [b.text for b in reply.flat_buttons()] == [
        "📚 By subject",
        "🔎 Search",
        "🔔 Subject subscriptions",
        "⬅️ Back to menu",
    ]
