"""The loans fallback proved with the real clients: the reader service drives the real
``KohaIls`` and ``Sip2Ils`` against their fake servers on 127.0.0.1. While a server is up the
reader links a card with a PIN, lists the loans and renews; a refusal reaches the reader in
plain words; once the server is gone (stopped, failing, or a SIP2 connection dropped in the
middle of a renewal) Renew and Renew all become a staff request that is stored and queued for
the staff chat, and the reader is told its number.

Retries pause through a ``sleep`` that returns at once, and both servers read the desk's
clock, so nothing here waits for real time or depends on today's date."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from babel.dates import format_date

from bot.ils.koha import KohaIls, KohaTransport, OAuth2ClientCredentials, RetryPolicy
from bot.ils.sip2 import Sip2Ils
from handlers.core.replies import Reply
from handlers.loans.ils import Renewal
from storage.models import (
    OutboxItem,
    RenewalCause,
    RenewalRequest,
    RenewalStatus,
)
from tests.fakes.koha_server import FakeCheckout, FakeKoha
from tests.fakes.sip2_server import FakeItem, FakePatron, FakeSip2Server
from tests.handlers.conftest import STAFF, Desk
from tests.handlers.loans_support import READER, linked, payloads, with_ils
from tests.ils.koha_support import CLIENT_ID, CLIENT_SECRET, RecordedSleep
from tests.ils.sip2_support import LOGIN, Sleeps, config_for

KOHA_CARD = "0012345"
KOHA_PIN = "Kh-5531-pin"
SIP2_CARD = "100200300"
SIP2_PIN = "7319"
DOWN = (
    "Система библиотеки сейчас не отвечает. Ваша просьба о продлении передана библиотекарю: "
    "заявка №1."
)
RESERVED = "продлить нельзя: эту книгу уже заказал другой читатель."


def day(moment: date) -> str:
    return format_date(moment, "d MMMM y", locale="ru")


async def pressed_once(desk: Desk, payload: str) -> Reply:
    """Press a button and check the press was acknowledged exactly once."""
    before = len(desk.telegram.acknowledged)
    reply = await desk.press(READER, payload)
    assert desk.telegram.acknowledged[before:] == ["cb"]
    return reply


def renew_button(listing: Reply, press: str, index: int) -> str:
    """The payload of Renew for the ``index``-th loan listed, or of Renew all."""
    buttons = payloads(listing)
    prefix = "ln:all:" if press == "all" else "ln:one:"
    matching = [payload for payload in buttons if payload.startswith(prefix)]
    return matching[0] if press == "all" else matching[index]


async def staff_cards(desk: Desk) -> list[OutboxItem]:
    later = desk.clock.now + timedelta(days=365)
    return [
        item
        for item in await desk.storage.outbox.claim(50, later, 30)
        if item.payload.get("renewal") is not None
    ]


async def assert_went_to_staff(
    desk: Desk, reply: Reply, card: str, shown: Sequence[tuple[str, str]]
) -> RenewalRequest:
    """The reader was told; request №1 holds ``shown`` (id, title); its card is queued."""
    assert reply.text.startswith(DOWN), reply.text
    assert payloads(reply) == ["menu:main"]
    request = await desk.storage.renewals.get(1)
    assert request is not None
    assert request.cause is RenewalCause.FALLBACK and request.status is RenewalStatus.OPEN
    assert request.card_number == card
    assert [(loan.loan_id, loan.title) for loan in request.loans] == list(shown)
    assert all(loan.due is not None for loan in request.loans)
    cards = await staff_cards(desk)
    assert len(cards) == 1
    assert cards[0].address == STAFF
    assert cards[0].payload["renewal"] == {"request": 1, "card": True}
    text = cards[0].payload["text"]
    assert "Система библиотеки не ответила боту" in text
    assert f"Читательский билет: {card}" in text
    for _, title in shown:
        assert f"• {title} — срок " in text
    return request


# --- Koha -------------------------------------------------------------------------------


@dataclass
class KohaRig:
    koha: FakeKoha
    ils: KohaIls
    sleep: RecordedSleep
    soonest: FakeCheckout
    reserved: FakeCheckout
    at_limit: FakeCheckout

    def shown(self) -> list[tuple[str, str]]:
        """The loans as My loans lists them: soonest due first."""
        return [
            (str(self.soonest.checkout_id), "Нормальная физиология"),
            (str(self.reserved.checkout_id), "Анатомия человека. Т. 1"),
            (str(self.at_limit.checkout_id), "Клиническая фармакология"),
        ]


@pytest.fixture
async def koha(desk: Desk) -> AsyncIterator[KohaRig]:
    now = desk.clock.now
    async with FakeKoha(now=desk.clock, oauth_clients={CLIENT_ID: CLIENT_SECRET}) as server:
        patron = server.add_patron(KOHA_CARD, KOHA_PIN)
        soonest = server.lend(patron, "Нормальная физиология", due=now + timedelta(days=2))
        reserved = server.lend(patron, "Анатомия человека. Т. 1", due=now + timedelta(days=5))
        server.place_hold(reserved)
        at_limit = server.lend(
            patron, "Клиническая фармакология", due=now + timedelta(days=9), renewals=2
        )
        sleep = RecordedSleep()
        signer = OAuth2ClientCredentials(CLIENT_ID, CLIENT_SECRET, clock=desk.clock)
        transport = KohaTransport(
            server.base_url, signer, timeout=5.0, retry=RetryPolicy(retries=2), sleep=sleep
        )
        ils = KohaIls(transport, clock=desk.clock, needs_pin=True)
        with_ils(desk, ils)
        try:
            yield KohaRig(server, ils, sleep, soonest, reserved, at_limit)
        finally:
            await ils.close()


async def test_koha_links_lists_and_renews_while_it_is_up(desk: Desk, koha: KohaRig) -> None:
    done = await linked(desk, card=KOHA_CARD, pin=KOHA_PIN)
    assert done.text.startswith(f"Читательский билет {KOHA_CARD} привязан. Здравствуйте, Анна")

    listing = await pressed_once(desk, "menu:loans")

    lines = listing.text.splitlines()
    assert lines[0] == f"Книги на билете {KOHA_CARD} (3), ближайший срок сверху:"
    assert lines[1].startswith("1. Нормальная физиология — вернуть до ")
    assert lines[2].startswith("2. Анатомия человека. Т. 1 — вернуть до ")
    assert lines[3] == f"    {RESERVED}"
    assert lines[4].startswith("3. Клиническая фармакология — вернуть до ")
    assert lines[5].endswith("книгу уже продлевали столько раз, сколько разрешают правила.")

    one = await pressed_once(desk, renew_button(listing, "one", 0))

    renewed_until = (koha.soonest.due).date()
    assert renewed_until == (desk.clock.now + timedelta(days=2 + 14)).date()
    assert one.text == f"✅ «Нормальная физиология» продлена до {day(renewed_until)}."
    assert koha.soonest.renewals_count == 1
    assert await desk.storage.renewals.get(1) is None


async def test_a_koha_refusal_reaches_the_reader_in_plain_words(desk: Desk, koha: KohaRig) -> None:
    await linked(desk, card=KOHA_CARD, pin=KOHA_PIN)
    listing = await desk.press(READER, "menu:loans")

    refused = await pressed_once(desk, renew_button(listing, "one", 1))

    assert refused.text == f"❌ «Анатомия человека. Т. 1» {RESERVED}"
    listing = await desk.press(READER, "menu:loans")
    everything = await pressed_once(desk, renew_button(listing, "all", 0))
    parts = everything.text.split("\n\n")
    assert parts[0].startswith("✅ «Нормальная физиология» продлена до ")
    assert parts[1] == f"❌ «Анатомия человека. Т. 1» {RESERVED}"
    assert parts[2] == (
        "❌ «Клиническая фармакология» продлить нельзя: "
        "книгу уже продлевали столько раз, сколько разрешают правила."
    )
    assert (koha.reserved.renewals_count, koha.at_limit.renewals_count) == (0, 2)
    assert await desk.storage.renewals.get(1) is None


@pytest.mark.parametrize("outage", ["stopped", "failing"])
@pytest.mark.parametrize("press", ["one", "all"])
async def test_when_koha_goes_away_a_renewal_becomes_a_staff_request(
    desk: Desk, koha: KohaRig, outage: str, press: str
) -> None:
    await linked(desk, card=KOHA_CARD, pin=KOHA_PIN)
    listing = await desk.press(READER, "menu:loans")
    if outage == "stopped":
        await koha.koha.stop()  # its port now refuses connections
    else:
        koha.koha.fail_next(50, status=503)

    reply = await pressed_once(desk, renew_button(listing, press, 0))

    shown = koha.shown() if press == "all" else koha.shown()[:1]
    await assert_went_to_staff(desk, reply, KOHA_CARD, shown)
    assert koha.sleep.delays, "the client retried, pausing through the sleep it was given"
    assert koha.soonest.renewals_count == 0
    again = await pressed_once(desk, "menu:loans")
    assert again.text.startswith("Система библиотеки сейчас не отвечает")
    assert payloads(again)[0] == "ln:ask"


# --- SIP2 -------------------------------------------------------------------------------


@dataclass
class Sip2Rig:
    server: FakeSip2Server
    ils: Sip2Ils
    sleeps: Sleeps

    def shown(self) -> list[tuple[str, str]]:
        """The loans as My loans lists them: soonest due first."""
        return [
            ("B-002", "Внутренние болезни. Т. 2"),
            ("B-001", "Пропедевтика внутренних болезней"),
            ("B-003", "Атлас анатомии человека"),
        ]


@asynccontextmanager
async def sip2_rig(desk: Desk, *, renew_all_supported: bool = True) -> AsyncIterator[Sip2Rig]:
    """The reader service on the real SIP2 client and a fake server charging three loans;
    without Renew All (65) on the server the client learns so from SC Status and renews
    loan by loan."""
    now = desk.clock.now
    server = FakeSip2Server(clock=desk.clock, login=LOGIN, renew_all_supported=renew_all_supported)
    async with server:
        reader = server.add_patron(FakePatron(SIP2_CARD, SIP2_PIN, "Иванова Анна Сергеевна"))
        server.add_item(
            reader, FakeItem("B-002", "Внутренние болезни. Т. 2", now + timedelta(days=1), holds=2)
        )
        server.add_item(
            reader,
            FakeItem("B-001", "Пропедевтика внутренних болезней", now + timedelta(days=3)),
        )
        server.add_item(
            reader,
            FakeItem("B-003", "Атлас анатомии человека", now + timedelta(days=6), renewals_left=0),
        )
        sleeps = Sleeps()
        config = config_for(server, sc_status=not renew_all_supported)
        ils = Sip2Ils(config, clock=desk.clock, sleep=sleeps)
        with_ils(desk, ils)
        try:
            yield Sip2Rig(server, ils, sleeps)
        finally:
            await ils.close()
    assert server.errors == []


@pytest.fixture
async def sip2(desk: Desk) -> AsyncIterator[Sip2Rig]:
    async with sip2_rig(desk) as rig:
        yield rig


async def test_sip2_links_lists_and_renews_while_it_is_up(desk: Desk, sip2: Sip2Rig) -> None:
    done = await linked(desk, card=SIP2_CARD, pin=SIP2_PIN)
    assert done.text.startswith(
        f"Читательский билет {SIP2_CARD} привязан. Здравствуйте, Иванова Анна Сергеевна"
    )
    assert desk.telegram.deleted == [(READER, 777)]

    listing = await pressed_once(desk, "menu:loans")

    lines = listing.text.splitlines()
    assert lines[0] == f"Книги на билете {SIP2_CARD} (3), ближайший срок сверху:"
    assert lines[1].startswith("1. Внутренние болезни. Т. 2 — вернуть до ")
    assert lines[2] == f"    {RESERVED}"
    assert lines[3].startswith("2. Пропедевтика внутренних болезней — вернуть до ")
    assert lines[4].startswith("3. Атлас анатомии человека — вернуть до ")

    one = await pressed_once(desk, renew_button(listing, "one", 1))

    renewed_until = (desk.clock.now + timedelta(days=3 + 14)).date()
    assert one.text == f"✅ «Пропедевтика внутренних болезней» продлена до {day(renewed_until)}."
    assert sip2.server.items["B-001"].renewed == 1
    assert await desk.storage.renewals.get(1) is None


async def test_a_sip2_refusal_reaches_the_reader_in_plain_words(desk: Desk, sip2: Sip2Rig) -> None:
    await linked(desk, card=SIP2_CARD, pin=SIP2_PIN)
    listing = await desk.press(READER, "menu:loans")

    refused = await pressed_once(desk, renew_button(listing, "one", 0))

    assert refused.text.startswith(f"❌ «Внутренние болезни. Т. 2» {RESERVED}")
    listing = await desk.press(READER, "menu:loans")
    everything = await pressed_once(desk, renew_button(listing, "all", 0))
    parts = everything.text.split("\n\n")
    assert parts[0].startswith(f"❌ «Внутренние болезни. Т. 2» {RESERVED}")
    assert parts[1].startswith("✅ «Пропедевтика внутренних болезней» продлена до ")
    assert parts[2].startswith(
        "❌ «Атлас анатомии человека» продлить нельзя: "
        "книгу уже продлевали столько раз, сколько разрешают правила."
    )
    items = sip2.server.items
    assert (items["B-002"].renewed, items["B-003"].renewed) == (0, 0)
    assert await desk.storage.renewals.get(1) is None


@pytest.mark.parametrize("outage", ["stopped", "dropped"])
@pytest.mark.parametrize("press", ["one", "all"])
async def test_when_sip2_goes_away_a_renewal_becomes_a_staff_request(
    desk: Desk, sip2: Sip2Rig, outage: str, press: str
) -> None:
    await linked(desk, card=SIP2_CARD, pin=SIP2_PIN)
    listing = await desk.press(READER, "menu:loans")
    connections = sip2.server.connections
    if outage == "stopped":
        await sip2.server.stop()  # listening stops and the open session is closed
    else:
        # The session stays open; the server reads the renewal and hangs up without answering.
        sip2.server.fail_next("drop")

    reply = await pressed_once(desk, renew_button(listing, press, 1))

    shown = sip2.shown() if press == "all" else sip2.shown()[1:2]
    await assert_went_to_staff(desk, reply, SIP2_CARD, shown)
    assert all(item.renewed == 0 for item in sip2.server.items.values())
    if outage == "stopped":
        assert sip2.sleeps.calls, "the client retried, pausing through the sleep it was given"
        again = await pressed_once(desk, "menu:loans")
        assert again.text.startswith("Система библиотеки сейчас не отвечает")
    else:
        assert sip2.server.connections == connections, "a renewal is never sent twice"
        again = await pressed_once(desk, "menu:loans")
        assert again.text.startswith(f"Книги на билете {SIP2_CARD} (3)"), "it reconnects"


async def test_a_sip2_renew_all_done_before_the_server_went_down_is_told_as_done(
    desk: Desk, sip2: Sip2Rig
) -> None:
    await linked(desk, card=SIP2_CARD, pin=SIP2_PIN)
    listing = await desk.press(READER, "menu:loans")
    sip2.server.hang_up_after("65")  # the 66 arrives; every item lookup after it fails

    everything = await pressed_once(desk, renew_button(listing, "all", 0))

    parts = everything.text.split("\n\n")
    assert parts[1] == (
        "✅ «Пропедевтика внутренних болезней» продлена. До какого числа, библиотечная "
        "система не сообщила: новый срок будет виден в «Моих книгах», когда она снова ответит."
    )
    assert parts[0].startswith("❌ «Внутренние болезни. Т. 2» продлить нельзя")
    assert parts[2].startswith("❌ «Атлас анатомии человека» продлить нельзя")
    assert sip2.server.items["B-001"].renewed == 1
    assert await desk.storage.renewals.get(1) is None, "nothing renewed goes to staff again"
    assert await staff_cards(desk) == []


async def test_when_koha_stops_answering_half_way_through_renew_all_the_reader_learns_what_was_done(
    desk: Desk, koha: KohaRig
) -> None:
    await linked(desk, card=KOHA_CARD, pin=KOHA_PIN)
    listing = await desk.press(READER, "menu:loans")
    koha.koha.fail_next(3, status=503, path=f"/checkouts/{koha.reserved.checkout_id}/renewal")
    before = len(desk.telegram.replies_to(READER))

    await pressed_once(desk, renew_button(listing, "all", 0))

    told = [reply.text for reply in desk.telegram.replies_to(READER)[before:]]
    renewed_until = (desk.clock.now + timedelta(days=2 + 14)).date()
    assert told[0] == f"✅ «Нормальная физиология» продлена до {day(renewed_until)}."
    assert koha.soonest.renewals_count == 1
    await assert_went_to_staff(desk, desk.telegram.last(READER), KOHA_CARD, koha.shown()[1:])
    assert len(told) == 2


async def test_sip2_without_renew_all_stopping_half_way_tells_what_was_done(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sip2_rig(desk, renew_all_supported=False) as rig:
        await linked(desk, card=SIP2_CARD, pin=SIP2_PIN)
        listing = await desk.press(READER, "menu:loans")
        renew = rig.ils.renew
        answered: list[str] = []

        async def server_stops_after_two(card: str, loan_id: str) -> Renewal:
            result = await renew(card, loan_id)
            answered.append(loan_id)
            if len(answered) == 2:
                await rig.server.stop()
            return result

        monkeypatch.setattr(rig.ils, "renew", server_stops_after_two)
        before = len(desk.telegram.replies_to(READER))

        await pressed_once(desk, renew_button(listing, "all", 0))

        told = [reply.text for reply in desk.telegram.replies_to(READER)[before:]]
        assert len(told) == 2
        parts = told[0].split("\n\n")
        assert parts[0].startswith(f"❌ «Внутренние болезни. Т. 2» {RESERVED}")
        assert parts[1].startswith("✅ «Пропедевтика внутренних болезней» продлена до ")
        assert len(parts) == 2
        assert rig.server.items["B-001"].renewed == 1
        await assert_went_to_staff(desk, desk.telegram.last(READER), SIP2_CARD, rig.shown()[2:])
