"""Linked library cards and renewal requests, on both backends."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from storage.database import Storage
from storage.models import (
    Address,
    Platform,
    Reader,
    RenewalCause,
    RenewalStatus,
    RequestedLoan,
    StaffMember,
    StaffThread,
)
from tests.storage.tickets_support import T0

CHAT = Address(Platform.TELEGRAM, -100200300)
OLGA = StaffMember(Platform.TELEGRAM, 11, "Ольга")
MARIA = StaffMember(Platform.VK, 22, "Мария")


async def test_a_reader_links_one_card_and_can_replace_or_unlink_it(
    storage: Storage, reader: Reader
) -> None:
    assert await storage.cards.get(reader.id) is None

    await storage.cards.link(reader.id, "1000001", 3)
    replaced = await storage.cards.link(reader.id, "2000002", 5)

    stored = await storage.cards.get(reader.id)
    assert stored == replaced
    assert (stored.number, stored.reminder_days) == ("2000002", 5)
    assert await storage.cards.unlink(reader.id) is True
    assert await storage.cards.get(reader.id) is None
    assert await storage.cards.unlink(reader.id) is False


async def test_reminder_preference_turns_off_and_back_on(storage: Storage, reader: Reader) -> None:
    other = await storage.readers.create(Address(Platform.VK, 77), "en")
    await storage.cards.link(reader.id, "1000001", 3)
    await storage.cards.link(other.id, "1000002", 3)

    assert await storage.cards.set_reminder_days(reader.id, None) is True
    assert [card.reader_id for card in await storage.cards.with_reminders()] == [other.id]
    await storage.cards.set_reminder_days(reader.id, 7)
    cards = {card.reader_id: card.reminder_days for card in await storage.cards.with_reminders()}
    assert cards == {reader.id: 7, other.id: 3}
    unlinked = await storage.readers.create(Address(Platform.VK, 78), "ru")
    assert await storage.cards.set_reminder_days(unlinked.id, 3) is False


async def test_a_request_keeps_what_the_reader_named_and_the_known_loans(
    storage: Storage, reader: Reader
) -> None:
    due = T0 + timedelta(days=2)
    loans = (RequestedLoan("b1", "Анатомия человека", due), RequestedLoan("b2", "Физиология"))

    created = await storage.renewals.create(
        reader.id, "1000001", RenewalCause.FALLBACK, items="все", loans=loans
    )

    stored = await storage.renewals.get(created.id)
    assert stored == created
    assert stored.status is RenewalStatus.OPEN
    assert stored.cause is RenewalCause.FALLBACK
    assert (stored.items, stored.loans) == ("все", loans)
    assert stored.loans[0].due == due
    second = await storage.renewals.create(reader.id, "1000001", RenewalCause.MANUAL)
    assert second.id > created.id
    assert [r.id for r in await storage.renewals.for_reader(reader.id)] == [second.id, created.id]


async def test_the_first_decision_wins(storage: Storage, reader: Reader) -> None:
    request = await storage.renewals.create(reader.id, "1000001", RenewalCause.MANUAL)
    until = date(2030, 1, 15)

    renewed, refused = await asyncio.gather(
        storage.renewals.renew(request.id, until, OLGA, T0),
        storage.renewals.refuse(request.id, "reserved", None, MARIA, T0),
    )

    winners = [outcome for outcome in (renewed, refused) if outcome is not None]
    assert len(winners) == 1
    stored = await storage.renewals.get(request.id)
    assert stored == winners[0]
    assert await storage.renewals.renew(request.id, until, MARIA, T0) is None
    assert await storage.renewals.await_input(request.id, "date") is None


async def test_a_decision_records_the_outcome_and_who_decided(
    storage: Storage, reader: Reader
) -> None:
    first = await storage.renewals.create(reader.id, "1000001", RenewalCause.MANUAL)
    second = await storage.renewals.create(reader.id, "1000001", RenewalCause.MANUAL)
    waiting = await storage.renewals.await_input(first.id, "date")
    assert waiting is not None and waiting.awaiting == "date"

    renewed = await storage.renewals.renew(first.id, date(2030, 1, 15), OLGA, T0)
    refused = await storage.renewals.refuse(second.id, None, "Книга нужна в зале", MARIA, T0)

    assert renewed is not None and refused is not None
    assert (renewed.status, renewed.renewed_until, renewed.awaiting) == (
        RenewalStatus.RENEWED,
        date(2030, 1, 15),
        None,
    )
    assert (renewed.decided_by, renewed.decided_at) == (OLGA, T0)
    assert (refused.status, refused.refusal, refused.refusal_text) == (
        RenewalStatus.REFUSED,
        None,
        "Книга нужна в зале",
    )
    assert refused.decided_by == MARIA


async def test_a_request_is_found_by_its_card_or_topic(storage: Storage, reader: Reader) -> None:
    plain = await storage.renewals.create(reader.id, "1000001", RenewalCause.MANUAL)
    forum = await storage.renewals.create(reader.id, "1000001", RenewalCause.MANUAL)
    await storage.renewals.set_thread(plain.id, StaffThread(CHAT, None, 501))
    await storage.renewals.set_thread(forum.id, StaffThread(CHAT, 77, 502))

    by_card = await storage.renewals.by_card_message(CHAT, 501)
    by_topic = await storage.renewals.by_topic(CHAT, 77)

    assert by_card is not None and by_card.id == plain.id
    assert by_card.thread == StaffThread(CHAT, None, 501)
    assert by_topic is not None and by_topic.id == forum.id
    assert await storage.renewals.by_card_message(Address(Platform.VK, -100200300), 501) is None
    assert await storage.renewals.by_topic(CHAT, 78) is None


async def test_withdrawing_consent_erases_the_card_and_the_requests(
    storage: Storage, reader: Reader
) -> None:
    await storage.cards.link(reader.id, "1000001", 3)
    request = await storage.renewals.create(reader.id, "1000001", RenewalCause.MANUAL)

    await storage.readers.withdraw_consent(reader.id)

    assert await storage.cards.get(reader.id) is None
    assert await storage.renewals.get(request.id) is None


async def test_open_requests_oldest_first_without_the_decided(
    storage: Storage, reader: Reader
) -> None:
    first = await storage.renewals.create(reader.id, "1", RenewalCause.MANUAL)
    second = await storage.renewals.create(reader.id, "2", RenewalCause.MANUAL)
    third = await storage.renewals.create(reader.id, "3", RenewalCause.MANUAL)
    await storage.renewals.refuse(second.id, "overdue", None, OLGA, T0)

    assert [r.id for r in await storage.renewals.open_requests()] == [first.id, third.id]
    assert [r.id for r in await storage.renewals.open_requests(limit=1)] == [first.id]
