"""Koha backend: the bot's own account signs in with OAuth2 client credentials or basic auth."""

from __future__ import annotations

import base64

import pytest

from handlers.loans.ils import IlsUnavailable, PatronStatus
from tests.fakes.koha_server import FakeKoha
from tests.ils.koha_support import (
    BASIC_PASSWORD,
    BASIC_USER,
    CLIENT_SECRET,
    PIN,
    START,
    RecordedSleep,
    koha_rig,
    make_ils,
)
from tests.support.clock import SettableClock


async def test_one_oauth2_token_serves_requests_until_it_nearly_expires() -> None:
    async with koha_rig() as rig:
        rig.koha.add_patron("0012345", PIN)
        await rig.ils.verify("0012345", PIN)
        await rig.ils.loans("0012345")
        assert rig.koha.tokens_issued == 1
        token_form = next(r for r in rig.koha.received if r.path == "/api/v1/oauth/token")
        rig.clock.advance(seconds=3600 - 10)
        await rig.ils.loans("0012345")
        assert rig.koha.tokens_issued == 2
    assert token_form.method == "POST"
    assert token_form.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "grant_type=client_credentials" in token_form.body
    assert all(r.headers["authorization"].startswith("Bearer ") for r in rig.koha.api_requests())


async def test_a_token_koha_forgot_is_replaced_once_on_401() -> None:
    async with koha_rig() as rig:
        rig.koha.add_patron("0012345", PIN)
        await rig.ils.loans("0012345")
        rig.koha.expire_tokens()
        await rig.ils.loans("0012345")
    assert rig.koha.tokens_issued == 2
    assert rig.sleep.delays == []


async def test_wrong_client_credentials_make_koha_unavailable_without_retrying() -> None:
    clock, sleep = SettableClock(START), RecordedSleep()
    async with FakeKoha(now=clock, oauth_clients={"reader-bot": CLIENT_SECRET}) as koha:
        koha.add_patron("0012345", PIN)
        ils = make_ils(koha.base_url, clock, sleep, secret="wrong-secret")
        with pytest.raises(IlsUnavailable, match="OAuth2 client credentials") as raised:
            await ils.verify("0012345", PIN)
        await ils.close()
    assert "wrong-secret" not in str(raised.value)
    assert koha.api_requests() == []
    assert sleep.delays == []


async def test_basic_auth_signs_every_request_with_the_bot_account() -> None:
    async with koha_rig(auth="basic") as rig:
        rig.koha.add_patron("0012345", PIN)
        check = await rig.ils.verify("0012345", PIN)
    expected = "Basic " + base64.b64encode(f"{BASIC_USER}:{BASIC_PASSWORD}".encode()).decode()
    assert check.status is PatronStatus.OK
    assert {r.headers["authorization"] for r in rig.koha.received} == {expected}
    assert rig.koha.tokens_issued == 0


async def test_basic_auth_refused_is_unavailable_after_one_retry_of_the_sign_in() -> None:
    async with koha_rig(auth="basic") as rig:
        rig.koha.basic_users = {BASIC_USER: "changed-in-koha"}
        with pytest.raises(IlsUnavailable, match="credentials") as raised:
            await rig.ils.loans("0012345")
    assert len(rig.koha.received) == 2
    assert BASIC_PASSWORD not in str(raised.value)


async def test_a_missing_permission_is_unavailable_and_names_the_fix() -> None:
    async with koha_rig() as rig:
        rig.koha.add_patron("0012345", PIN)
        rig.koha.permissions.discard("circulate")
        with pytest.raises(IlsUnavailable, match="permissions"):
            await rig.ils.loans("0012345")


async def test_a_token_refused_after_expiry_by_the_clock_is_fetched_again() -> None:
    async with koha_rig() as rig:
        rig.koha.add_patron("0012345", PIN)
        rig.koha.token_lifetime = 120
        await rig.ils.loans("0012345")
        rig.clock.advance(seconds=100)  # inside the client's margin: it renews first
        await rig.ils.loans("0012345")
    assert rig.koha.tokens_issued == 2
    assert all(r.headers["authorization"] != "" for r in rig.koha.api_requests())


async def test_a_token_endpoint_failing_once_is_retried() -> None:
    async with koha_rig() as rig:
        rig.koha.add_patron("0012345", PIN)
        rig.koha.fail_next(1, status=502, path="/oauth/token")
        check = await rig.ils.verify("0012345", PIN)
    assert check.status is PatronStatus.OK
    assert rig.koha.tokens_issued == 1
    assert rig.sleep.delays == [0.5]
