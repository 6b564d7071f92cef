"""Both sides of the reference desk in end-to-end tests over the fake Telegram Bot API.

Reader side (a private chat): ``consent`` then ``submit_request`` walks a kind's form to the
ticket number. Staff side (the staff chat): ``staff_says``, ``staff_sends_document`` and
``staff_presses`` push what a librarian does; ``wait_card``, ``wait_posted`` and
``wait_status`` wait for the bot's effects. The storage helpers (``wait_status``,
``wait_outbox_idle``, ``ticket``) work for a reader on any platform.

Everything waits generously: these tests prove behaviour, never speed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.app import Application
from bot.playground.platforms.telegram_server import FakeTelegramServer, FakeUser, SentMessage
from storage.models import Address, OutboxStatus, Platform, Ticket, TicketStatus
from tests.e2e.conftest import STAFF_CHAT_ID
from tests.e2e.telegram_client import eventually, outbox_rows, text_of

WITHIN = 45.0
"""Seconds to wait for anything: the sender paces a group at 20 messages a minute and a chat
at one a second, and test machines are noisy."""

STAFF = FakeUser(7001, "Ольга", "Смирнова", language_code="ru")
"""A librarian; make them staff with ``make_admin`` or ``staff_user_ids=staff_ids(STAFF)``."""
COLLEAGUE = FakeUser(7002, "Ирина", "Кузнецова", language_code="ru")
STRANGER = FakeUser(7999, "Посторонний", language_code="ru")
"""A plain member of the staff chat: not configured, not an admin."""

TICKET_NUMBER = re.compile(r"Запрос №(\d+) принят")

THEMATIC_TOPIC = "Книги по кардиологии: хроническая сердечная недостаточность"


def thematic_steps(topic: str = THEMATIC_TOPIC) -> list[str]:
    """Answers to the thematic form before its files step: typed texts and ``form:`` presses."""
    return [
        topic,
        "form:thematic:purpose:pick:clinical",
        "2019–2024",
        "form:thematic:languages:pick:ru_en",
        "обзоры, клинические рекомендации",
        "5",
    ]


def single_steps(text: str) -> list[str]:
    """The one typed answer of the address, clarifying, factographic and other forms."""
    return [text]


def staff_ids(*users: FakeUser) -> str:
    """The ``staff_user_ids`` setting naming ``users`` as Telegram staff."""
    return ",".join(f"telegram:{user.id}" for user in users)


def make_admin(telegram: FakeTelegramServer, user: FakeUser, chat: int = STAFF_CHAT_ID) -> None:
    telegram.set_member_status(chat, user.id, "administrator")


# ---- the reader ----------------------------------------------------------------------------


def reader_user(chat_id: int, first_name: str = "Анна", last_name: str = "Петрова") -> FakeUser:
    """A reader whose private chat id is their user id, as in Telegram."""
    return FakeUser(chat_id, first_name, last_name, language_code="ru")


async def _answer_after(
    telegram: FakeTelegramServer,
    chat_id: int,
    before: int,
    until: Callable[[SentMessage], bool] | None,
) -> SentMessage:
    def found() -> SentMessage | None:
        return next(
            (m for m in telegram.sent_to(chat_id)[before:] if until is None or until(m)), None
        )

    await telegram.wait_for(lambda: found() is not None, timeout=WITHIN)
    message = found()
    assert message is not None
    return message


async def reader_says(
    telegram: FakeTelegramServer,
    reader: FakeUser,
    text: str,
    *,
    until: Callable[[SentMessage], bool] | None = None,
) -> SentMessage:
    """The reader writes ``text`` in their private chat; the bot's first answer after it
    (the first satisfying ``until``, if given)."""
    before = len(telegram.sent_to(reader.id))
    telegram.push_message(reader.id, text, user=reader)
    return await _answer_after(telegram, reader.id, before, until)


async def reader_presses(
    telegram: FakeTelegramServer,
    reader: FakeUser,
    data: str,
    *,
    until: Callable[[SentMessage], bool] | None = None,
) -> SentMessage:
    """The reader presses a button with ``data`` under the newest message of their chat."""
    before = len(telegram.sent_to(reader.id))
    sent = telegram.sent_to(reader.id)
    message_id = sent[-1].message_id if sent else 1
    telegram.push_callback(reader.id, data, message_id, user=reader)
    return await _answer_after(telegram, reader.id, before, until)


async def reader_sends_photo(
    telegram: FakeTelegramServer, reader: FakeUser, data: bytes, caption: str | None = None
) -> SentMessage:
    before = len(telegram.sent_to(reader.id))
    telegram.push_photo(reader.id, data, caption=caption, user=reader)
    return await _answer_after(telegram, reader.id, before, None)


async def reader_sends_document(
    telegram: FakeTelegramServer,
    reader: FakeUser,
    data: bytes,
    file_name: str = "request.pdf",
    caption: str | None = None,
) -> SentMessage:
    before = len(telegram.sent_to(reader.id))
    telegram.push_document(reader.id, data, file_name=file_name, caption=caption, user=reader)
    return await _answer_after(telegram, reader.id, before, None)


async def consent(telegram: FakeTelegramServer, reader: FakeUser) -> None:
    """First contact: ``/start`` and consent, so the reader's display name is stored."""
    await reader_says(telegram, reader, "/start")
    await reader_presses(telegram, reader, "consent:yes")


async def submit_request(
    telegram: FakeTelegramServer,
    reader: FakeUser,
    kind: str,
    steps: Sequence[str],
    *,
    photo: bytes | None = None,
    document: tuple[str, bytes] | None = None,
) -> int:
    """Walk the form of ``kind`` (``menu:ask`` → ``ask:<kind>`` → ``steps`` → files →
    confirm) and return the ticket number the reader is told. A step starting with ``form:``
    is pressed, any other is typed. The reader must have consented (``consent``)."""
    await reader_presses(telegram, reader, "menu:ask")
    await reader_presses(telegram, reader, f"ask:{kind}")
    for step in steps:
        if step.startswith("form:"):
            await reader_presses(telegram, reader, step)
        else:
            await reader_says(telegram, reader, step)
    if photo is not None:
        await reader_sends_photo(telegram, reader, photo)
    if document is not None:
        name, data = document
        await reader_sends_document(telegram, reader, data, file_name=name)
    await reader_presses(telegram, reader, f"form:{kind}:files:skip")
    accepted = await reader_presses(telegram, reader, f"form:{kind}:confirm:send")
    match = TICKET_NUMBER.search(text_of(accepted))
    assert match is not None, f"no ticket number in {text_of(accepted)!r}"
    return int(match.group(1))


def reader_got(telegram: FakeTelegramServer, reader: FakeUser, fragment: str) -> list[SentMessage]:
    """The reader's messages whose text or caption contains ``fragment``."""
    return [m for m in telegram.sent_to(reader.id) if fragment in text_of(m)]


async def wait_reader_gets(
    telegram: FakeTelegramServer, reader: FakeUser, fragment: str
) -> SentMessage:
    """The first message to the reader containing ``fragment``, once it arrives."""
    await telegram.wait_for(lambda: bool(reader_got(telegram, reader, fragment)), timeout=WITHIN)
    return reader_got(telegram, reader, fragment)[0]


# ---- the staff chat ------------------------------------------------------------------------


def staff_says(
    telegram: FakeTelegramServer,
    text: str,
    *,
    user: FakeUser = STAFF,
    thread_id: int | None = None,
    reply_to: int | None = None,
    chat: int = STAFF_CHAT_ID,
) -> int:
    """A staff member writes in the staff chat (in a topic, or as a reply); the message id."""
    update = telegram.push_message(chat, text, user=user, thread_id=thread_id, reply_to=reply_to)
    return int(update["message"]["message_id"])


def staff_sends_document(
    telegram: FakeTelegramServer,
    data: bytes,
    *,
    file_name: str = "answer.pdf",
    caption: str | None = None,
    user: FakeUser = STAFF,
    thread_id: int | None = None,
    reply_to: int | None = None,
    chat: int = STAFF_CHAT_ID,
) -> int:
    update = telegram.push_document(
        chat,
        data,
        file_name=file_name,
        caption=caption,
        user=user,
        thread_id=thread_id,
        reply_to=reply_to,
    )
    return int(update["message"]["message_id"])


def staff_presses(
    telegram: FakeTelegramServer,
    data: str,
    message_id: int,
    *,
    user: FakeUser = STAFF,
    chat: int = STAFF_CHAT_ID,
) -> str:
    """A staff member presses a button with ``data`` under the bot's message; the query id."""
    return telegram.push_callback(chat, data, message_id, user=user)


async def wait_callback_answered(telegram: FakeTelegramServer, query_id: str) -> str | None:
    """The notice shown to the presser, once the press was acknowledged."""

    def answer() -> list[str | None]:
        return [a.text for a in telegram.callback_answers if a.callback_query_id == query_id]

    await telegram.wait_for(lambda: bool(answer()), timeout=WITHIN)
    return answer()[0]


def posted(
    telegram: FakeTelegramServer,
    fragment: str,
    *,
    thread_id: int | None = None,
    chat: int = STAFF_CHAT_ID,
) -> list[SentMessage]:
    """The bot's messages in the staff chat (in ``thread_id`` if given) containing
    ``fragment``."""
    return [m for m in telegram.sent_to(chat, thread_id) if fragment in text_of(m)]


async def wait_posted(
    telegram: FakeTelegramServer,
    fragment: str,
    *,
    thread_id: int | None = None,
    chat: int = STAFF_CHAT_ID,
) -> SentMessage:
    """The first bot message in the staff chat containing ``fragment``, once posted."""
    await telegram.wait_for(
        lambda: bool(posted(telegram, fragment, thread_id=thread_id, chat=chat)), timeout=WITHIN
    )
    return posted(telegram, fragment, thread_id=thread_id, chat=chat)[0]


def replies_to(
    telegram: FakeTelegramServer, message_id: int, *, chat: int = STAFF_CHAT_ID
) -> list[SentMessage]:
    """The bot's messages in the staff chat sent in reply to ``message_id``."""
    return [m for m in telegram.sent_to(chat) if m.reply_to == message_id]


async def staff_command(
    telegram: FakeTelegramServer,
    app: Application,
    text: str,
    *,
    user: FakeUser = STAFF,
    thread_id: int | None = None,
    chat: int = STAFF_CHAT_ID,
) -> str:
    """A staff member sends a command (``/queue``, ``/ticket 3``…) in the staff chat; the
    text of the bot's answer, all its parts joined by a blank line."""
    message_id = staff_says(telegram, text, user=user, thread_id=thread_id, chat=chat)
    await telegram.wait_for(
        lambda: bool(replies_to(telegram, message_id, chat=chat)), timeout=WITHIN
    )
    await wait_outbox_idle(app)
    return "\n\n".join(text_of(m) for m in replies_to(telegram, message_id, chat=chat))


async def ticket(app: Application, number: int) -> Ticket:
    found = await app.storage.tickets.get(number)
    assert found is not None, f"no ticket {number}"
    return found


async def wait_ticket(
    app: Application, number: int, check: Callable[[Ticket], bool], what: str
) -> Ticket:
    """The ticket once ``check`` holds for it."""

    async def holds() -> bool:
        found = await app.storage.tickets.get(number)
        return found is not None and check(found)

    await eventually(holds, timeout=WITHIN, what=f"ticket {number}: {what}")
    return await ticket(app, number)


async def wait_status(app: Application, number: int, status: TicketStatus) -> Ticket:
    return await wait_ticket(app, number, lambda t: t.status is status, f"status {status}")


async def wait_card(
    telegram: FakeTelegramServer, app: Application, number: int, *, chat: int = STAFF_CHAT_ID
) -> SentMessage:
    """The ticket's card as the staff chat shows it (kept up to date by edits), once the
    sender has recorded its message id."""
    placed = await wait_ticket(
        app,
        number,
        lambda t: t.thread is not None and t.thread.card_message_id is not None,
        "card posted",
    )
    assert placed.thread is not None and placed.thread.card_message_id is not None
    card_id = placed.thread.card_message_id
    [card] = [m for m in telegram.sent_to(chat) if m.message_id == card_id]
    return card


async def wait_card_shows(
    telegram: FakeTelegramServer,
    app: Application,
    number: int,
    fragment: str,
    *,
    chat: int = STAFF_CHAT_ID,
) -> SentMessage:
    """The card once its (edited) text contains ``fragment``."""
    card = await wait_card(telegram, app, number, chat=chat)
    await telegram.wait_for(lambda: fragment in text_of(card), timeout=WITHIN)
    return card


async def wait_linked(
    app: Application, number: int, message_id: int, *, chat: int = STAFF_CHAT_ID
) -> None:
    """Wait until the bot's staff-chat message ``message_id`` is recorded as ticket
    ``number``'s (the sender's after-send hook runs just after the platform accepted it), so
    that a staff reply to it threads to the ticket."""
    address = Address(Platform.TELEGRAM, chat)

    async def linked() -> bool:
        found = await app.storage.tickets.by_staff_message(address, message_id)
        return found is not None and found.id == number

    await eventually(linked, timeout=WITHIN, what=f"message {message_id} linked to {number}")


async def wait_outbox_idle(app: Application) -> None:
    """Wait until no outbox row is waiting or being sent."""

    async def idle() -> bool:
        rows = await outbox_rows(app.storage)
        return all(s not in (OutboxStatus.PENDING, OutboxStatus.SENDING) for _, s in rows)

    await eventually(idle, timeout=WITHIN, what="outbox drained")


def card_payloads(card: SentMessage) -> list[str | None]:
    return [data for row in card.buttons for _, data in row]
