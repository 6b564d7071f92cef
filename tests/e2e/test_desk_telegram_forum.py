"""A Telegram reader answered by Telegram staff in a forum supergroup: a topic per ticket."""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer
from storage.models import TicketMessageKind, TicketStatus
from tests.e2e.conftest import STAFF_CHAT_ID, Launcher
from tests.e2e.desk_client import (
    STAFF,
    card_payloads,
    consent,
    make_admin,
    posted,
    reader_got,
    reader_presses,
    reader_says,
    reader_user,
    staff_presses,
    staff_says,
    staff_sends_document,
    submit_request,
    thematic_steps,
    wait_callback_answered,
    wait_card,
    wait_card_shows,
    wait_outbox_idle,
    wait_posted,
    wait_reader_gets,
    wait_status,
)
from tests.e2e.telegram_client import text_of

READER = reader_user(5301)
PHOTO = b"\xff\xd8\xff\xe0" + b"scan of the reader's list" * 40
ANSWER_PDF = b"%PDF-1.4 list of literature on heart failure" * 20


async def test_forum_topic_card_note_answer_follow_up_and_rating(
    telegram: FakeTelegramServer, launch: Launcher
) -> None:
    telegram.forum_chat(STAFF_CHAT_ID)
    make_admin(telegram, STAFF)
    app = await launch(telegram=telegram)

    await consent(telegram, READER)
    number = await submit_request(telegram, READER, "thematic", thematic_steps(), photo=PHOTO)

    # A topic of its own, the card as its first message, the photo following it there.
    card = await wait_card(telegram, app, number)
    [topic] = telegram.topics(STAFF_CHAT_ID)
    assert f"№{number}" in topic.name and "Анна Петрова" in topic.name
    assert card.message_thread_id == topic.thread_id
    assert telegram.sent_to(STAFF_CHAT_ID, topic.thread_id)[0].message_id == card.message_id
    shown = text_of(card)
    for expected in (
        f"Запрос №{number} · Тематический",
        "Статус: 🆕 новый",
        "Срок: ",
        "Исполнитель: —",
        "Читатель: Анна Петрова (Telegram)",
        "Книги по кардиологии",
        "2019–2024",
        "Файлы: ",
    ):
        assert expected in shown, (expected, shown)
    assert card_payloads(card) == [
        f"st:take:{number}",
        f"st:asg:{number}",
        f"st:tpl:{number}",
        f"st:close:{number}",
    ]
    files = await wait_posted(telegram, f"Файлы к запросу №{number}", thread_id=topic.thread_id)
    assert [f.kind for f in files.files] == ["photo"]
    assert files.files[0].data == PHOTO

    # Take: the card is edited in place.
    query = staff_presses(telegram, f"st:take:{number}", card.message_id)
    assert await wait_callback_answered(telegram, query) == f"Запрос №{number} теперь ваш."
    await wait_card_shows(telegram, app, number, "Исполнитель: Ольга Смирнова")
    assert card.edits >= 1
    assert "Статус: 🔧 в работе" in text_of(card)
    assert (await wait_status(app, number, TicketStatus.IN_PROGRESS)).assignee is not None

    # A note is stored, acknowledged in the topic, and never reaches the reader.
    staff_says(telegram, "!проверить фонд", thread_id=topic.thread_id)
    await wait_posted(telegram, "Заметка сохранена", thread_id=topic.thread_id)

    # The answer: text, then a document, both in the topic.
    reader_before = len(telegram.sent_to(READER.id))
    staff_says(telegram, "Подобрали 5 источников, список ниже.", thread_id=topic.thread_id)
    answer = await wait_reader_gets(telegram, READER, "Подобрали 5 источников")
    staff_sends_document(
        telegram, ANSWER_PDF, file_name="spisok.pdf", caption="Список", thread_id=topic.thread_id
    )
    relayed = await wait_reader_gets(telegram, READER, "Список")
    for message in (answer, relayed):
        text = text_of(message)
        assert f"Ответ библиотеки на ваш запрос №{number}" in text
        assert "— Ольга Смирнова" in text
        assert card_payloads(message) == [
            *(f"tk:rate:{number}:{score}" for score in range(1, 6)),
            f"tk:add:{number}",
        ]
    assert [(f.kind, f.file_name, f.data) for f in relayed.files] == [
        ("document", "spisok.pdf", ANSWER_PDF)
    ]
    await wait_status(app, number, TicketStatus.ANSWERED)
    await wait_card_shows(telegram, app, number, "Статус: ✅ отвечен")
    await wait_outbox_idle(app)
    assert not reader_got(telegram, READER, "проверить фонд")
    assert len(telegram.sent_to(READER.id)) == reader_before + 2

    # A follow-up through «Уточнить» reopens the ticket and lands in the same topic, even
    # though a human closed the topic meanwhile.
    telegram.close_topic(STAFF_CHAT_ID, topic.thread_id)
    await reader_presses(telegram, READER, f"tk:add:{number}")
    await reader_says(telegram, READER, "а за 2023 год?")
    await wait_status(app, number, TicketStatus.IN_PROGRESS)
    follow_up = await wait_posted(telegram, "а за 2023 год?", thread_id=topic.thread_id)
    assert "Анна Петрова дополнил запрос" in text_of(follow_up)
    assert len(telegram.topics(STAFF_CHAT_ID)) == 1
    assert not topic.closed
    assert telegram.calls_of("reopenForumTopic")

    # The second answer, then a rating with a comment: the topic gets the record.
    staff_says(telegram, "За 2023 год — ещё два обзора.", thread_id=topic.thread_id)
    await wait_reader_gets(telegram, READER, "ещё два обзора")
    await wait_status(app, number, TicketStatus.ANSWERED)
    await reader_presses(telegram, READER, f"tk:rate:{number}:5")
    saved = await reader_says(telegram, READER, "Очень помогли, спасибо!")
    assert "Мы передали ваш комментарий библиотекарям" in text_of(saved)
    # Staff learn the score at once and the comment when it comes, both in the topic.
    await wait_posted(telegram, "Читатель оценил ответ: 5 из 5", thread_id=topic.thread_id)
    record = await wait_posted(telegram, "Комментарий: Очень помогли", thread_id=topic.thread_id)
    assert "Читатель оценил ответ: 5 из 5. Комментарий: Очень помогли, спасибо!" in text_of(record)
    await wait_card_shows(telegram, app, number, "Оценка читателя: 5 из 5")

    kinds = [m.kind for m in await app.storage.tickets.messages(number)]
    assert kinds.count(TicketMessageKind.NOTE) == 1
    assert not posted(telegram, "проверить фонд"), "the note is not echoed into the chat"
