"""The SIP2 backend against a fake SIP2 server speaking the real wire format."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from bot.ils.sip2 import Sip2Ils
from handlers.loans.ils import IlsUnavailable, PatronStatus, Refusal
from tests.fakes.sip2_server import FakeItem, FakePatron, FakeSip2Server
from tests.ils.sip2_support import (
    CARD,
    LOGIN,
    NOW,
    PIN,
    Sleeps,
    circulation,
    client_for,
    clock,
    connected_client,
)


@pytest.fixture
async def sip() -> AsyncIterator[FakeSip2Server]:
    async with FakeSip2Server(clock=clock, login=LOGIN, charset="cp1251") as server:
        circulation(server)
        yield server
    assert server.errors == []


@pytest.fixture
async def ils(sip: FakeSip2Server) -> AsyncIterator[Sip2Ils]:
    async with connected_client(sip) as client:
        yield client


# --- verify -------------------------------------------------------------------------------


async def test_verify_accepts_the_right_pin_and_gives_the_name(ils: Sip2Ils) -> None:
    check = await ils.verify(CARD, PIN)

    assert check.status is PatronStatus.OK
    assert check.name == "Иванова Анна Сергеевна"


async def test_verify_refuses_a_wrong_pin(ils: Sip2Ils) -> None:
    assert (await ils.verify(CARD, "0000")).status is PatronStatus.WRONG_PIN


async def test_verify_without_a_pin_does_not_ask_the_server(
    ils: Sip2Ils, sip: FakeSip2Server
) -> None:
    assert (await ils.verify(CARD, None)).status is PatronStatus.WRONG_PIN
    assert sip.received == []


async def test_verify_reports_an_unknown_card(ils: Sip2Ils) -> None:
    assert (await ils.verify("999999", PIN)).status is PatronStatus.UNKNOWN_CARD


async def test_verify_reports_an_expired_card(ils: Sip2Ils, sip: FakeSip2Server) -> None:
    sip.patrons[CARD].expires = (NOW - timedelta(days=40)).date()

    assert (await ils.verify(CARD, PIN)).status is PatronStatus.CARD_EXPIRED


async def test_verify_reports_a_blocked_card_with_the_librarys_words(
    ils: Sip2Ils, sip: FakeSip2Server
) -> None:
    sip.patrons[CARD].blocked = True
    sip.patrons[CARD].screen_message = "Задолженность: 350 руб."

    check = await ils.verify(CARD, PIN)

    assert check.status is PatronStatus.BLOCKED
    assert check.message == "Задолженность: 350 руб."


async def test_verify_answers_a_card_that_cannot_be_a_field_without_sending_it(
    ils: Sip2Ils, sip: FakeSip2Server
) -> None:
    assert (await ils.verify("123|AD0000", PIN)).status is PatronStatus.UNKNOWN_CARD
    assert (await ils.verify(CARD, "1\r2")).status is PatronStatus.WRONG_PIN
    assert sip.received == []


async def test_verify_without_pins_checks_the_card_alone(sip: FakeSip2Server) -> None:
    async with connected_client(sip, needs_pin=False) as ils:
        assert (await ils.verify(CARD, None)).status is PatronStatus.OK
        assert (await ils.verify("999999", None)).status is PatronStatus.UNKNOWN_CARD


# --- loans and renewals -------------------------------------------------------------------


async def test_loans_lists_titles_due_dates_and_known_refusals(ils: Sip2Ils) -> None:
    loans = {loan.loan_id: loan for loan in await ils.loans(CARD)}

    assert set(loans) == {"B-001", "B-002", "B-003"}
    assert loans["B-001"].title == "Пропедевтика внутренних болезней"
    assert loans["B-001"].due == NOW + timedelta(days=3)
    assert loans["B-001"].due.tzinfo is not None
    assert loans["B-001"].refusal is None
    assert loans["B-002"].refusal is Refusal.RESERVED


async def test_loans_of_an_unknown_card_are_none(ils: Sip2Ils) -> None:
    assert await ils.loans("999999") == []


async def test_loans_are_read_page_by_page(sip: FakeSip2Server, ils: Sip2Ils) -> None:
    reader = sip.patrons[CARD]
    for number in range(60):
        sip.add_item(reader, FakeItem(f"X-{number:03d}", f"Том {number}", NOW + timedelta(days=9)))

    loans = await ils.loans(CARD)

    assert len(loans) == 63
    assert sip.received.count("63") == 2


async def test_renew_gives_the_new_due_date(ils: Sip2Ils, sip: FakeSip2Server) -> None:
    renewal = await ils.renew(CARD, "B-001")

    assert renewal.renewed
    assert renewal.due == NOW + timedelta(days=3 + 14)
    assert renewal.title == "Пропедевтика внутренних болезней"
    assert sip.items["B-001"].renewed == 1


async def test_renew_of_an_item_on_hold_is_refused_as_reserved(
    ils: Sip2Ils, sip: FakeSip2Server
) -> None:
    renewal = await ils.renew(CARD, "B-002")

    assert not renewal.renewed
    assert renewal.refusal is Refusal.RESERVED
    assert renewal.message == "Item unavailable due to outstanding holds"
    assert sip.items["B-002"].renewed == 0


async def test_renew_at_the_limit_is_refused_as_limit_reached(ils: Sip2Ils) -> None:
    renewal = await ils.renew(CARD, "B-003")

    assert renewal.refusal is Refusal.LIMIT_REACHED


async def test_renew_of_a_blocked_reader_is_refused_as_blocked(
    ils: Sip2Ils, sip: FakeSip2Server
) -> None:
    sip.patrons[CARD].blocked = True

    assert (await ils.renew(CARD, "B-001")).refusal is Refusal.BLOCKED


async def test_renew_of_an_item_not_on_the_card_is_refused(ils: Sip2Ils) -> None:
    renewal = await ils.renew(CARD, "NOT-MINE")

    assert not renewal.renewed
    assert renewal.refusal is Refusal.OTHER


async def test_renew_keeps_a_cp1251_screen_message_in_cyrillic(
    ils: Sip2Ils, sip: FakeSip2Server
) -> None:
    sip.items["B-003"].refusal_message = "Превышен лимит продлений, обратитесь на абонемент"

    renewal = await ils.renew(CARD, "B-003")

    assert renewal.message == "Превышен лимит продлений, обратитесь на абонемент"
    assert renewal.refusal is Refusal.LIMIT_REACHED


async def test_an_unknown_reason_stays_other_with_the_servers_words(
    ils: Sip2Ils, sip: FakeSip2Server
) -> None:
    sip.items["B-003"].refusal_message = "Обратитесь к библиотекарю"

    renewal = await ils.renew(CARD, "B-003")

    assert renewal.refusal is Refusal.OTHER
    assert renewal.message == "Обратитесь к библиотекарю"


async def test_renew_all_gives_a_result_for_every_loan(ils: Sip2Ils, sip: FakeSip2Server) -> None:
    results = {r.loan_id: r for r in await ils.renew_all(CARD)}

    assert set(results) == {"B-001", "B-002", "B-003"}
    assert results["B-001"].renewed
    assert results["B-001"].due == NOW + timedelta(days=17)
    assert results["B-002"].refusal is Refusal.RESERVED
    assert not results["B-003"].renewed
    assert results["B-003"].refusal is Refusal.LIMIT_REACHED  # asked for with one 29
    assert results["B-003"].title == "Атлас анатомии человека"
    assert sip.received.count("65") == 1
    assert sip.received.count("29") == 1
    assert sip.items["B-001"].renewed == 1


async def test_renew_all_done_by_the_server_stands_when_it_goes_down_after_answering(
    ils: Sip2Ils, sip: FakeSip2Server
) -> None:
    sip.hang_up_after("65")

    results = {r.loan_id: r for r in await ils.renew_all(CARD)}

    # B-001 was renewed by the 66; its details (17) could not be read, so it keeps its id.
    assert results["B-001"].renewed
    assert results["B-001"].title == "B-001"
    assert results["B-001"].due is None
    assert sip.items["B-001"].renewed == 1
    # The others were left by the 66; with the server gone they are refused in its words.
    assert not results["B-002"].renewed
    assert not results["B-003"].renewed
    assert sip.received.count("65") == 1
    assert sip.received.count("29") == 0  # nothing renewed twice, nothing tried blind


async def test_a_renewal_whose_details_cannot_be_read_is_still_a_renewal(
    sip: FakeSip2Server,
) -> None:
    sip.due_format = lambda due: "someday"  # the 30 carries no due date the client can read
    async with connected_client(sip) as client:
        await client.renew(CARD, "B-001")  # connected and logged in
        sip.hang_up_after("29")

        renewal = await client.renew(CARD, "B-001")

    assert renewal.renewed
    assert renewal.due is None
    assert sip.items["B-001"].renewed == 2


async def test_renew_all_refused_as_a_whole_refuses_each_loan(
    ils: Sip2Ils, sip: FakeSip2Server
) -> None:
    sip.patrons[CARD].expires = date(2027, 1, 1)

    results = await ils.renew_all(CARD)

    assert len(results) == 3
    assert {r.refusal for r in results} == {Refusal.CARD_EXPIRED}
    assert not any(r.renewed for r in results)


async def test_renew_all_falls_back_to_single_renewals_without_65() -> None:
    async with FakeSip2Server(clock=clock, login=LOGIN, renew_all_supported=False) as sip:
        circulation(sip)
        async with connected_client(sip, sc_status=True) as ils:
            results = {r.loan_id: r for r in await ils.renew_all(CARD)}

    assert results["B-001"].renewed
    assert results["B-002"].refusal is Refusal.RESERVED
    assert "65" not in sip.received
    assert sip.received.count("29") == 3
    assert sip.errors == []


async def test_due_dates_in_other_formats_are_read(sip: FakeSip2Server) -> None:
    sip.due_format = lambda moment: moment.astimezone(sip.tz).strftime("%d.%m.%Y")
    async with connected_client(sip) as ils:
        loans = {loan.loan_id: loan for loan in await ils.loans(CARD)}

    due = loans["B-001"].due.astimezone(sip.tz)
    assert due.date() == (NOW + timedelta(days=3)).astimezone(sip.tz).date()
    assert (due.hour, due.minute) == (23, 59)


async def test_a_loan_with_an_unreadable_due_date_is_left_out_not_invented(
    sip: FakeSip2Server, caplog: pytest.LogCaptureFixture
) -> None:
    unreadable = sip.items["B-003"].due
    sip.due_format = lambda moment: "скоро" if moment == unreadable else moment.strftime("%Y-%m-%d")
    async with connected_client(sip) as ils:
        loans = await ils.loans(CARD)

    assert {loan.loan_id for loan in loans} == {"B-001", "B-002"}
    assert "B-003" in caplog.text


# --- the connection -----------------------------------------------------------------------


async def test_logs_in_once_and_reuses_the_connection(ils: Sip2Ils, sip: FakeSip2Server) -> None:
    await ils.verify(CARD, PIN)
    await ils.loans(CARD)

    assert sip.connections == 1
    assert sip.received.count("93") == 1


async def test_a_dropped_connection_is_reopened_transparently(
    ils: Sip2Ils, sip: FakeSip2Server
) -> None:
    await ils.verify(CARD, PIN)
    await sip.drop_connections()

    loans = await ils.loans(CARD)

    assert len(loans) == 3
    assert sip.connections == 2
    assert sip.received.count("93") == 2


async def test_a_lookup_cut_mid_exchange_is_repeated(ils: Sip2Ils, sip: FakeSip2Server) -> None:
    sip.fail_next("drop")

    assert (await ils.verify(CARD, PIN)).status is PatronStatus.OK
    assert sip.connections == 2


async def test_a_renewal_cut_mid_exchange_is_not_repeated(
    ils: Sip2Ils, sip: FakeSip2Server
) -> None:
    await ils.verify(CARD, PIN)
    sip.fail_next("drop")

    with pytest.raises(IlsUnavailable):
        await ils.renew(CARD, "B-001")

    assert sip.received.count("29") == 1
    # The server can still be used after the failure.
    assert (await ils.renew(CARD, "B-001")).renewed


async def test_a_server_that_stays_down_is_unavailable_after_bounded_attempts(
    sip: FakeSip2Server,
) -> None:
    sleeps = Sleeps()
    ils = client_for(sip, sleeps, retries=3)
    await sip.stop()

    with pytest.raises(IlsUnavailable):
        await ils.loans(CARD)

    assert sleeps.calls == [1.0, 2.0, 4.0]
    await ils.close()


async def test_a_server_that_does_not_answer_times_out(sip: FakeSip2Server) -> None:
    async with connected_client(sip, timeout=0.2, retries=0) as ils:
        sip.fail_next("silent")
        with pytest.raises(IlsUnavailable):
            await ils.verify(CARD, PIN)


async def test_a_refused_login_is_unavailable_at_once(sip: FakeSip2Server) -> None:
    sleeps = Sleeps()
    async with connected_client(sip, sleeps, login_password="wrong") as ils:
        with pytest.raises(IlsUnavailable, match="refused the login"):
            await ils.loans(CARD)

    assert sleeps.calls == []
    assert sip.received == ["93"]


async def test_the_client_can_be_used_again_after_close(ils: Sip2Ils, sip: FakeSip2Server) -> None:
    await ils.verify(CARD, PIN)
    await ils.close()

    assert (await ils.verify(CARD, PIN)).status is PatronStatus.OK
    assert sip.connections == 2


async def test_concurrent_requests_take_turns_on_one_connection(
    ils: Sip2Ils, sip: FakeSip2Server
) -> None:
    import asyncio

    checks = await asyncio.gather(*(ils.verify(CARD, PIN) for _ in range(5)))

    assert {c.status for c in checks} == {PatronStatus.OK}
    assert sip.connections == 1


async def test_a_login_less_server_gets_no_93() -> None:
    async with FakeSip2Server(clock=clock, login=None) as sip:
        sip.add_patron(FakePatron(CARD, PIN, "Петров П. П."))
        async with connected_client(sip) as ils:
            assert (await ils.verify(CARD, PIN)).status is PatronStatus.OK
    assert "93" not in sip.received
    assert sip.errors == []
