"""Koha backend: down, slow or failing Koha means IlsUnavailable after bounded retries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.loans.ils import IlsUnavailable
from tests.fakes.koha_server import FakeKoha
from tests.ils.koha_support import PIN, START, RecordedSleep, koha_rig, make_ils
from tests.support.clock import SettableClock


async def test_5xx_is_retried_with_growing_pauses_and_then_given_up() -> None:
    async with koha_rig(retries=2) as rig:
        rig.koha.add_patron("0012345", PIN)
        await rig.ils.loans("0012345")  # signed in
        before = len(rig.koha.api_requests())
        rig.koha.fail_next(3, status=500)
        with pytest.raises(IlsUnavailable, match="HTTP 500"):
            await rig.ils.loans("0012345")
        attempts = len(rig.koha.api_requests()) - before
    assert attempts == 3
    assert rig.sleep.delays == [0.5, 1.0]


async def test_a_passing_5xx_is_absorbed_by_a_retry() -> None:
    async with koha_rig() as rig:
        reader = rig.koha.add_patron("0012345", PIN)
        rig.koha.lend(reader, "Book", due=rig.clock() + timedelta(days=3))
        await rig.ils.loans("0012345")
        rig.koha.fail_next(1, status=503)
        loans = await rig.ils.loans("0012345")
    assert [loan.title for loan in loans] == ["Book"]
    assert rig.sleep.delays == [0.5]


async def test_a_koha_that_is_down_is_unavailable() -> None:
    clock, sleep = SettableClock(START), RecordedSleep()
    koha = FakeKoha(now=clock, oauth_clients={"reader-bot": "s3cret-client-Xq9"})
    async with koha:
        base_url = koha.base_url
    ils = make_ils(base_url, clock, sleep, retries=1)
    with pytest.raises(IlsUnavailable, match="failed 2 times"):
        await ils.verify("0012345", PIN)
    await ils.close()
    assert sleep.delays == [0.5]


async def test_a_koha_that_never_answers_times_out_and_is_unavailable() -> None:
    # Every request hangs until the server stops, so the short timeout always fires.
    async with koha_rig(request_timeout=0.2, retries=1) as rig:
        rig.koha.add_patron("0012345", PIN)
        rig.koha.hang_next(2)
        with pytest.raises(IlsUnavailable, match="timed out"):
            await rig.ils.loans("0012345")
    assert rig.sleep.delays == [0.5]


async def test_a_renewal_that_koha_fails_is_unavailable_not_a_refusal() -> None:
    async with koha_rig(retries=0) as rig:
        reader = rig.koha.add_patron("0012345", PIN)
        loan = rig.koha.lend(reader, "Book", due=rig.clock() + timedelta(days=3))
        await rig.ils.loans("0012345")
        rig.koha.fail_next(2, status=500)
        with pytest.raises(IlsUnavailable):
            await rig.ils.renew("0012345", str(loan.checkout_id))
    assert loan.renewals_count == 0


async def test_an_html_page_instead_of_json_is_unavailable() -> None:
    async with koha_rig() as rig:
        reader = rig.koha.add_patron("0012345", PIN)
        rig.koha.lend(reader, "Book", due=rig.clock() + timedelta(days=3))
        await rig.ils.loans("0012345")
        rig.koha.garble_next(1)
        with pytest.raises(IlsUnavailable, match="GET /patrons with HTTP 200"):
            await rig.ils.loans("0012345")
    assert rig.sleep.delays == []
