"""A VK reader answered by Telegram staff, through the real application on both fakes.

The staff chat is the default Telegram supergroup (plain, not a forum): the ticket gets a
card there, and staff answer by replying to it.
"""

from __future__ import annotations

from bot.playground.platforms.telegram_server import FakeTelegramServer, FakeUser
from bot.playground.platforms.vk_server import FakeVkServer
from storage.models import TicketMessageKind, TicketStatus
from tests.e2e import vk_client
from tests.e2e.conftest import STAFF_CHAT_ID, Launcher
from tests.e2e.desk_cross_client import (
    card_id,
    status_becomes,
    telegram_staff_message,
    telegram_text_has,
    ticket,
    vk_consenting_reader,
    vk_submit,
)
from tests.e2e.telegram_client import payloads as telegram_payloads
from tests.e2e.telegram_client import text_of

READER = 7001
STAFF = FakeUser(555, "Мария", "Иванова")
READER_PHOTO = b"\xff\xd8\xff\xe0" + b"vk-reader-photo-of-the-title-page" * 40
STAFF_PHOTO = b"\xff\xd8\xff\xe1" + b"telegram-staff-photo-of-the-shelf" * 40
DETAILS = "Вестник кардиологии, 1987, № 3, статья о ревматизме"
NOTE = "!проверить в фонде редкой книги, шифр 616.12"
ANSWER = "Журнал есть в читальном зале №2, шифр П-616"
COMMENT = "Спасибо, всё нашла"
FOLLOW_UP = "А есть ли электронная версия?"


async def test_vk_reader_answered_by_telegram_staff(
    vk: FakeVkServer, telegram: FakeTelegramServer, launch: Launcher
) -> None:
    telegram.set_member_status(STAFF_CHAT_ID, STAFF.id, "administrator")
    vk.add_user(READER, "Анна", "Смирнова")
    app = await vk_client.start(launch, vk, telegram)

    # The VK reader asks, with a photo of the title page.
    await vk_consenting_reader(vk, READER)
    number = await vk_submit(vk, READER, "address", DETAILS, [vk.photo_attachment(READER_PHOTO)])

    # Telegram staff see the card, then the photo uploaded as a real Telegram photo.
    card_message_id = await card_id(app, number)
    card = await telegram_staff_message(telegram, lambda m: m.message_id == card_message_id)
    card_text = text_of(card)
    assert f"📋 Запрос №{number} · Адресный" in card_text
    assert "Читатель: Анна Смирнова (ВКонтакте)" in card_text
    assert DETAILS in card_text
    assert "Файлы: фото" in card_text
    assert f"st:take:{number}" in telegram_payloads(card)
    files = await telegram_staff_message(
        telegram, telegram_text_has(f"📎 Файлы к запросу №{number}")
    )
    assert files.method == "sendphoto"
    [photo] = files.files
    assert photo.kind == "photo" and photo.uploaded
    assert photo.data == READER_PHOTO

    # An internal note is stored and acknowledged, never sent.
    telegram.push_message(STAFF_CHAT_ID, NOTE, user=STAFF, reply_to=card_message_id)
    await telegram_staff_message(telegram, telegram_text_has("Заметка сохранена"))

    # The answer: text and a photo, as a reply to the card.
    before = len(vk.sent_to(READER))
    telegram.push_photo(
        STAFF_CHAT_ID, STAFF_PHOTO, caption=ANSWER, user=STAFF, reply_to=card_message_id
    )
    answer = await vk_client.reply_after(vk, READER, before, vk_client.contains("Ответ библиотеки"))
    assert f"Ответ библиотеки на ваш запрос №{number}" in answer.text
    assert ANSWER in answer.text
    assert "— Мария Иванова" in answer.text
    assert vk_client.payloads(answer) == [
        *(f"tk:rate:{number}:{score}" for score in range(1, 6)),
        f"tk:add:{number}",
    ]
    [uploaded] = answer.attachments
    assert uploaded.startswith(f"photo-{vk.group_id}_")
    assert vk.saved_bytes(uploaded) == STAFF_PHOTO
    await telegram_staff_message(
        telegram, telegram_text_has(f"Ответ по запросу №{number} отправляется читателю")
    )
    answered = await status_becomes(app, number, TicketStatus.ANSWERED)
    assert answered.assignee is not None and answered.assignee.name == "Мария Иванова"

    # The reader rates the answer (a callback press) and comments; staff see both.
    thanks = await vk_client.press(vk, READER, f"tk:rate:{number}:4")
    assert "4" in thanks.text
    await vk_client.say(vk, READER, COMMENT)
    await telegram_staff_message(
        telegram, telegram_text_has(f"Читатель оценил ответ: 4 из 5. Комментарий: {COMMENT}")
    )
    rated = await ticket(app, number)
    assert (rated.rating, rated.rating_comment) == (4, COMMENT)
    await telegram.wait_for(lambda: "Оценка читателя: 4 из 5" in text_of(card), timeout=30.0)

    # A follow-up on VK reopens the ticket and lands in the Telegram thread.
    added = await vk_client.say(vk, READER, FOLLOW_UP)
    assert f"Добавлено к вашему запросу №{number}" in added.text
    follow_up = await telegram_staff_message(telegram, telegram_text_has(FOLLOW_UP))
    assert f"Читатель Анна Смирнова дополнил запрос №{number}" in text_of(follow_up)
    assert follow_up.reply_to == card_message_id
    reopened = await status_becomes(app, number, TicketStatus.IN_PROGRESS)
    assert reopened.assignee is not None
    await telegram.wait_for(lambda: "в работе" in text_of(card), timeout=30.0)

    # Nothing of the note ever reached VK; everything is in the stored conversation.
    assert all("редкой книги" not in d.text for d in vk.deliveries)
    kinds = [m.kind for m in await app.storage.tickets.messages(number)]
    assert kinds.count(TicketMessageKind.NOTE) == 1
    assert kinds.count(TicketMessageKind.STAFF) == 1
    assert kinds.count(TicketMessageKind.READER) == 2
