"""Koha backend: a card's loans with titles and due dates, renewing one, renewing all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.loans.ils import Refusal
from tests.fakes.koha_server import FakeCheckout, FakeKoha, FakePatron
from tests.ils.koha_support import PIN, koha_rig


def _reader(koha: FakeKoha) -> FakePatron:
    return koha.add_patron("0012345", PIN)


async def test_loans_come_with_titles_due_dates_and_renewals_left() -> None:
    async with koha_rig() as rig:
        reader = _reader(rig.koha)
        other = rig.koha.add_patron("555", "other")
        due = rig.clock() + timedelta(days=5)
        first = rig.koha.lend(reader, "Анатомия человека", due=due, renewals=1, max_renewals=3)
        second = rig.koha.lend(reader, "Clinical Pharmacology", due=due + timedelta(days=2))
        rig.koha.lend(other, "Not this reader's book", due=due)
        loans = await rig.ils.loans("0012345")
        embeds = [
            r.headers.get("x-koha-embed") for r in rig.koha.received if r.path.endswith("/items")
        ]
    by_id = {loan.loan_id: loan for loan in loans}
    assert set(by_id) == {str(first.checkout_id), str(second.checkout_id)}
    assert by_id[str(first.checkout_id)].title == "Анатомия человека"
    assert by_id[str(first.checkout_id)].due == due
    assert by_id[str(first.checkout_id)].due.tzinfo is not None
    assert by_id[str(first.checkout_id)].renewals_left == 2
    assert by_id[str(first.checkout_id)].refusal is None
    assert by_id[str(second.checkout_id)].title == "Clinical Pharmacology"
    assert embeds == ["biblio"]


async def test_loans_say_in_advance_which_cannot_be_renewed_and_why() -> None:
    async with koha_rig() as rig:
        reader = _reader(rig.koha)
        soon = rig.clock() + timedelta(days=3)
        held = rig.koha.lend(reader, "Held", due=soon)
        rig.koha.place_hold(held)
        spent = rig.koha.lend(reader, "Spent", due=soon, renewals=2, max_renewals=2)
        late = rig.koha.lend(reader, "Late", due=rig.clock() - timedelta(days=1))
        loans = {loan.loan_id: loan for loan in await rig.ils.loans("0012345")}
    assert loans[str(held.checkout_id)].refusal is Refusal.RESERVED
    assert loans[str(spent.checkout_id)].refusal is Refusal.LIMIT_REACHED
    assert loans[str(spent.checkout_id)].renewals_left == 0
    assert loans[str(late.checkout_id)].refusal is Refusal.OVERDUE


async def test_many_loans_are_read_page_by_page() -> None:
    async with koha_rig() as rig:
        reader = _reader(rig.koha)
        due = rig.clock() + timedelta(days=9)
        for n in range(130):
            rig.koha.lend(reader, f"Volume {n}", due=due)
        loans = await rig.ils.loans("0012345")
    assert len(loans) == 130
    assert len({loan.loan_id for loan in loans}) == 130
    assert all(loan.title.startswith("Volume ") for loan in loans)


async def test_an_unknown_card_has_no_loans() -> None:
    async with koha_rig() as rig:
        assert await rig.ils.loans("404") == []
        assert await rig.ils.renew_all("404") == []


async def test_renewing_gives_the_new_due_date() -> None:
    async with koha_rig() as rig:
        reader = _reader(rig.koha)
        due = datetime(2031, 3, 7, 20, 59, tzinfo=UTC)
        loan = rig.koha.lend(reader, "Анатомия человека", due=due)
        result = await rig.ils.renew("0012345", str(loan.checkout_id))
    assert result.renewed is True
    assert result.refusal is None
    assert result.title == "Анатомия человека"
    assert result.due == datetime(2031, 3, 21, 23, 59, tzinfo=UTC)
    assert loan.renewals_count == 1


async def _refusal(rig_setup: str) -> Refusal | None:
    async with koha_rig() as rig:
        reader = _reader(rig.koha)
        soon = rig.clock() + timedelta(days=2)
        loan: FakeCheckout
        if rig_setup == "on_reserve":
            loan = rig.koha.lend(reader, "T", due=soon)
            rig.koha.place_hold(loan)
        elif rig_setup == "too_many":
            loan = rig.koha.lend(reader, "T", due=soon, renewals=3, max_renewals=3)
        elif rig_setup == "restriction":
            reader.restricted = True
            loan = rig.koha.lend(reader, "T", due=soon)
        elif rig_setup == "too_soon":
            rig.koha.no_renewal_before_days = 1
            loan = rig.koha.lend(reader, "T", due=soon)
        elif rig_setup == "overdue":
            loan = rig.koha.lend(reader, "T", due=rig.clock() - timedelta(hours=1))
        elif rig_setup == "card_expired":
            reader.expiry_date = (rig.clock() - timedelta(days=3)).date()
            loan = rig.koha.lend(reader, "T", due=soon)
        elif rig_setup == "item_denied_renewal":
            loan = rig.koha.lend(reader, "T", due=soon, denied_renewal=True)
        else:
            loan = rig.koha.lend(reader, "T", due=soon, onsite=True)
        result = await rig.ils.renew("0012345", str(loan.checkout_id))
        assert result.renewed is False
        assert result.due is None
        assert loan.renewals_count in (0, 3)
        return result.refusal


async def test_koha_refusals_map_onto_the_readers_reasons() -> None:
    assert await _refusal("on_reserve") is Refusal.RESERVED
    assert await _refusal("too_many") is Refusal.LIMIT_REACHED
    assert await _refusal("restriction") is Refusal.BLOCKED
    assert await _refusal("too_soon") is Refusal.TOO_SOON
    assert await _refusal("overdue") is Refusal.OVERDUE
    assert await _refusal("card_expired") is Refusal.CARD_EXPIRED
    assert await _refusal("item_denied_renewal") is Refusal.NOT_RENEWABLE
    assert await _refusal("onsite_checkout") is Refusal.NOT_RENEWABLE


async def test_another_readers_loan_cannot_be_renewed_with_a_forged_id() -> None:
    async with koha_rig() as rig:
        _reader(rig.koha)
        victim = rig.koha.add_patron("777", "victims-password")
        theirs = rig.koha.lend(victim, "Their book", due=rig.clock() + timedelta(days=2))
        result = await rig.ils.renew("0012345", str(theirs.checkout_id))
        renewals = [r for r in rig.koha.received if r.path.endswith("/renewal")]
    assert result.renewed is False
    assert result.refusal is Refusal.OTHER
    assert theirs.renewals_count == 0
    assert renewals == []


async def test_odd_loan_ids_and_returned_loans_are_refused_not_errors() -> None:
    async with koha_rig() as rig:
        reader = _reader(rig.koha)
        returned = rig.koha.lend(reader, "Back", due=rig.clock() + timedelta(days=2))
        returned.returned = rig.clock()
        for loan_id in (
            "",
            "abc",
            "-1",
            "1e5",
            "٣",
            "9" * 40,
            "../patrons",
            str(returned.checkout_id),
        ):
            result = await rig.ils.renew("0012345", loan_id)
            assert result.renewed is False
            assert result.refusal is Refusal.OTHER


async def test_renew_all_renews_what_it_can_and_says_why_not_for_the_rest() -> None:
    async with koha_rig() as rig:
        reader = _reader(rig.koha)
        soon = rig.clock() + timedelta(days=2)
        fine = rig.koha.lend(reader, "Renewable", due=soon)
        held = rig.koha.lend(reader, "Held", due=soon)
        rig.koha.place_hold(held)
        spent = rig.koha.lend(reader, "Spent", due=soon, renewals=2, max_renewals=2)
        results = {r.loan_id: r for r in await rig.ils.renew_all("0012345")}
    assert set(results) == {str(fine.checkout_id), str(held.checkout_id), str(spent.checkout_id)}
    assert results[str(fine.checkout_id)].renewed is True
    assert results[str(fine.checkout_id)].due == fine.due
    assert results[str(fine.checkout_id)].title == "Renewable"
    assert results[str(held.checkout_id)].refusal is Refusal.RESERVED
    assert results[str(held.checkout_id)].title == "Held"
    assert results[str(spent.checkout_id)].refusal is Refusal.LIMIT_REACHED
