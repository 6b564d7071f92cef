"""A reader who did everything the bot keeps something of, with words and ids of their own,
so that a test can look for their traces after an erasure."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.database import Storage
from storage.models import (
    Address,
    ConsentState,
    DialogState,
    Direction,
    LoanMark,
    Platform,
    Reader,
    ReminderKind,
    RenewalCause,
    RequestedLoan,
    StaffMember,
    StaffThread,
    TicketKind,
    TicketMessageKind,
    TicketStatus,
)
from storage.subscriptions import Frequency
from tests.storage.tickets_support import T0

STAFF_CHAT = Address(Platform.TELEGRAM, -1009876543210)
LIBRARIAN = StaffMember(Platform.TELEGRAM, 5551234, "Библиотекарь Смирнова")

GONE_ID = 7318245906113
"""A peer id no other value in the database comes near."""
GONE_WORDS = {
    "name": "Зоркенштейн",
    "topic": "квазибраминовых",
    "second": "Тромбоплюмбия",
    "follow_up": "vorpalfungus",
    "answer": "плюмбофилина",
    "rating": "xyloquartzy",
    "card": "ЧБ5550173",
    "books": "Гиппокраксия",
    "log": "трамбулезии",
    "draft": "mandrivolting",
    "failed": "окказиональный",
}
KEPT_ID = 6200417733919
KEPT_WORDS = {"name": "Лучезарова", "topic": "фибриномантия", "log": "quillbrattle"}


async def fill(
    storage: Storage, peer_id: int, words: dict[str, str], start: datetime = T0
) -> Reader:
    """A reader who did everything the bot keeps something of: consent with a name, a
    conversation, a form in progress, two requests with a follow-up, an answer and a rating,
    a linked library card, a renewal request and notice, staff-chat posts, delivered, pending
    and failed, and subject subscriptions with a weekly digest. Everything happens in the
    minutes after ``start`` (the storage's clock should show about that time too)."""

    def at(minutes: float) -> datetime:
        return start + timedelta(minutes=minutes)

    address = Address(Platform.TELEGRAM, peer_id)
    reader = await storage.readers.create(address, "ru")
    await storage.readers.set_consent(reader.id, ConsentState.GIVEN, f"Ольга {words['name']}")
    await storage.conversations.record(
        reader.id, Direction.IN, f"вопрос о {words['log']}", at=at(0)
    )
    await storage.dialogs.save(
        reader.id, DialogState(flow="renewal", step="books", data={"draft": words.get("draft")})
    )
    first = await storage.tickets.create(
        reader.id, TicketKind.THEMATIC, {"topic": words["topic"]}, at(60), at(0)
    )
    await storage.tickets.add_message(
        first.id, TicketMessageKind.READER, f"Литература о {words['topic']}", at=at(0)
    )
    second = await storage.tickets.create(
        reader.id, TicketKind.OTHER, {"question": words.get("second", "")}, at(90), at(1)
    )
    for ticket in (first, second):
        thread = StaffThread(STAFF_CHAT, topic_id=None, card_message_id=900 + ticket.id)
        await storage.tickets.set_thread(ticket.id, thread)
        await storage.tickets.link_staff_message(ticket.id, STAFF_CHAT, 900 + ticket.id)
    await storage.tickets.add_message(
        first.id, TicketMessageKind.READER, f"И ещё {words.get('follow_up', '')}", at=at(2)
    )
    await storage.tickets.add_message(
        first.id,
        TicketMessageKind.STAFF,
        f"Нашли три статьи о {words.get('answer', '')}",
        author=LIBRARIAN,
        at=at(3),
    )
    await storage.tickets.set_status(first.id, TicketStatus.ANSWERED, str(LIBRARIAN), at(3))
    await storage.tickets.rate(first.id, 5, f"Спасибо, {words.get('rating', '')}")

    card_number = words.get("card", f"K{peer_id}")
    await storage.cards.link(reader.id, card_number, 3)
    request = await storage.renewals.create(
        reader.id,
        card_number,
        RenewalCause.FALLBACK,
        items=f"{words.get('books', '')} и другие",
        loans=(RequestedLoan(f"loan-{words.get('books', '')}", words.get("books", ""), at(0)),),
    )
    await storage.renewals.set_thread(request.id, StaffThread(STAFF_CHAT, None, 950 + request.id))
    # The loan digest holds the peer id here (a real one holds nothing of the reader) only
    # so that the search for traces sees this table too.
    await storage.loan_reminders.send_once(
        reader.id,
        [LoanMark(ReminderKind.DUE, f"{peer_id:032d}", at(5).date())],
        lambda fresh: (
            f"loan-reminder:{peer_id}",
            address,
            {"text": f"Скоро срок: {words.get('books', '')}"},
        ),
    )

    tag = str(peer_id)
    card = {"text": f"№{first.id} {words['name']}: {words['topic']}", "link": {"ticket": first.id}}
    await storage.outbox.enqueue(f"card:{tag}", STAFF_CHAT, card, ticket_id=first.id)
    await storage.outbox.enqueue(
        f"renew:{tag}",
        STAFF_CHAT,
        {"text": f"{words['name']} {words.get('card', '')} {words.get('books', '')}"},
        reader_id=reader.id,
    )
    await storage.outbox.enqueue(
        f"reply:{address}:{tag}", address, {"text": f"Ответ: {words.get('answer', '')}"}
    )
    await storage.outbox.enqueue(
        f"answer:{tag}", address, {"text": words.get("failed", "")}, reader_id=reader.id
    )
    claimed = await storage.outbox.claim(10, at(10), 60)
    for item in claimed:
        if item.key.startswith("answer:"):
            await storage.outbox.mark_failed(item.id, f"403 for {peer_id}")
        elif not item.key.startswith("card:"):
            await storage.outbox.mark_sent(item.id, at(11))
    await storage.outbox.enqueue(
        f"thread:{tag}",
        STAFF_CHAT,
        {"text": f"{words['name']}: {words.get('follow_up', '')}"},
        ticket_id=first.id,
    )
    await storage.subscriptions.toggle(reader.id, "cardiology")
    await storage.subscriptions.toggle(reader.id, "oncology")
    await storage.subscriptions.set_frequency(reader.id, Frequency.WEEKLY)
    return reader
