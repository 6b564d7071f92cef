"""Staff-chat commands: /queue, /ticket, /find, /templates, /signature and help."""

from __future__ import annotations

import pytest

from handlers.reference.staff.commands import SEARCH_LIMIT
from storage.models import Address, Platform, TicketKind, TicketMessageKind
from tests.staff.conftest import CONFIGURED_STAFF, DeskFactory

READER = Address(Platform.TELEGRAM, 111)


async def test_queue_lists_open_tickets_oldest_first(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    reader = await desk.reader(READER)
    first, _ = await desk.open_ticket(reader, "Первый")
    desk.clock.advance(hours=2)
    second, _ = await desk.open_ticket(reader, "Второй", kind=TicketKind.ADDRESS)
    await desk.press(f"st:take:{second.id}")
    desk.clock.advance(days=3, hours=1)

    await desk.staff_says("/queue")

    reply = desk.staff_posts()[-1]
    assert reply.reply_to == 50_002
    lines = reply.text.splitlines()
    assert lines[0].startswith("Открытые запросы (2)")
    assert lines[1].startswith(f"№{first.id} · Тематический · ждёт 3 дня 3 ч")
    assert "просрочен" in lines[1] and lines[1].endswith("· —")
    assert lines[2].startswith(f"№{second.id} · Адресный")
    assert lines[2].endswith("Мария Иванова")


async def test_queue_when_empty(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    await desk.staff_says("/queue@library_bot")
    assert desk.texts() == ["Открытых запросов нет."]


async def test_ticket_shows_the_whole_conversation(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(
        await desk.reader(READER),
        attachments=[{"kind": "photo", "platform": "telegram", "ref": "p", "file_name": None}],
    )
    await desk.press(f"st:take:{ticket.id}")
    await desk.staff_says("! проверить в каталоге", reply_to=1)
    await desk.staff_says("Вот список литературы", reply_to=1)

    await desk.staff_says(f"/ticket {ticket.id}")

    text = desk.staff_posts()[-1].text
    for expected in (
        "👤 Анна Петрова:",
        "Нужна литература по кардиологии",
        "Файлы: фото",
        "статус: — → 🆕 новый (читатель)",
        "статус: 🆕 новый → 🔧 в работе (Мария Иванова, Telegram)",
        "📝 Мария Иванова (заметка):",
        "проверить в каталоге",
        "💬 Мария Иванова:",
        "Вот список литературы",
        "[23.11.2026 12:00]",
    ):
        assert expected in text
    assert text.index("Нужна литература") < text.index("проверить") < text.index("Вот список")


async def test_a_long_conversation_is_split(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER))
    for number in range(12):
        await desk.storage.tickets.add_message(
            ticket.id, TicketMessageKind.READER, f"{number} " + "слово " * 100
        )

    await desk.staff_says(f"/ticket {ticket.id}")

    parts = desk.staff_posts()[1:]
    assert len(parts) >= 2
    assert all(len(part.text) <= 4096 for part in parts)
    assert "11 слово" in parts[-1].text


async def test_ticket_with_a_bad_number(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    await desk.staff_says("/ticket")
    await desk.staff_says("/ticket 404")
    assert desk.texts() == ["Укажите номер: /ticket 12", "Такого запроса нет."]


async def test_find_matches_russian_word_forms(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    reader = await desk.reader(READER)
    ticket, _ = await desk.open_ticket(reader, "Ищу книги по педиатрии")
    await desk.open_ticket(reader, "Статьи о вакцинации")

    await desk.staff_says("/find книга")

    text = desk.staff_posts()[-1].text
    assert f"№{ticket.id}:" in text
    assert "вакцинации" not in text


async def test_find_says_when_more_matched_than_it_shows(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER), "Ищу книги по педиатрии")
    for number in range(SEARCH_LIMIT):
        await desk.storage.tickets.add_message(
            ticket.id, TicketMessageKind.READER, f"Ещё книга, {number}"
        )

    await desk.staff_says("/find книга")

    text = desk.staff_posts()[-1].text
    assert text.count(f"№{ticket.id}:") == SEARCH_LIMIT
    # The opening request matches twice: as the ticket's form and as its first message.
    assert f"Совпадений: {SEARCH_LIMIT + 2}, показаны лучшие {SEARCH_LIMIT}." in text
    assert "добавьте слова" in text


async def test_find_says_when_only_the_newest_matches_were_ranked(
    make_desk: DeskFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = await make_desk()
    ticket, _ = await desk.open_ticket(await desk.reader(READER), "Ищу книги по педиатрии")
    await desk.storage.tickets.add_message(ticket.id, TicketMessageKind.READER, "Ещё книга")
    search = desk.storage.tickets.search
    monkeypatch.setattr(
        desk.storage.tickets, "search", lambda query, limit: search(query, limit, window=1)
    )

    await desk.staff_says("/find книга")

    text = desk.staff_posts()[-1].text
    assert "Ещё книга" in text and "педиатрии" not in text
    assert "Совпадений больше 1: показаны лучшие 1 среди 1 самых новых." in text
    assert "Более старые найдутся по более точному запросу" in text


async def test_find_with_nothing_found_or_no_words(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    await desk.staff_says("/find")
    await desk.staff_says("/find астрономия")
    assert desk.texts()[0].startswith("Что искать?")
    assert "ничего не нашлось" in desk.texts()[1]


async def test_templates_add_list_and_delete(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    await desk.staff_says("/templates")
    assert desk.texts()[-1].startswith("Шаблонов пока нет.")

    await desk.staff_says("/templates add Нет в фонде | Этого издания нет в фонде.")
    [template] = await desk.storage.templates.all()
    assert (template.title, template.text) == ("Нет в фонде", "Этого издания нет в фонде.")

    await desk.staff_says("/templates")
    assert f"{template.id}. Нет в фонде — Этого издания нет в фонде." in desk.texts()[-1]

    await desk.staff_says(f"/templates del {template.id}")
    assert await desk.storage.templates.all() == []
    await desk.staff_says(f"/templates del {template.id}")
    assert desk.texts()[-1] == "Такого шаблона нет."

    await desk.staff_says("/templates add без черты")
    assert desk.texts()[-1].startswith("Шаблоны: /templates")


async def test_signature_is_set_and_shown(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    await desk.staff_says("/signature")
    assert "Ваша подпись: Мария Иванова" in desk.texts()[-1]
    await desk.staff_says("/signature Библиограф М. Иванова")
    assert await desk.storage.staff.signature(Platform.TELEGRAM, CONFIGURED_STAFF) == (
        "Библиограф М. Иванова"
    )


async def test_unknown_command_gets_help(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    await desk.staff_says("/start")
    assert desk.texts()[-1].startswith("Команды:")
    assert "«!»" in desk.texts()[-1]
