"""The fake Koha is as strict as the real one, so the client's requests are checked by it."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.fakes.koha_server import FakeKoha
from tests.ils.koha_support import CLIENT_ID, CLIENT_SECRET, PIN, START
from tests.support.clock import SettableClock


async def _call(
    session: aiohttp.ClientSession, method: str, url: str, **kwargs: Any
) -> tuple[int, Any]:
    async with session.request(method, url, **kwargs) as response:
        return response.status, await response.json()


async def test_the_fake_refuses_what_koha_refuses() -> None:
    clock = SettableClock(START)
    async with FakeKoha(now=clock, oauth_clients={CLIENT_ID: CLIENT_SECRET}) as koha:
        koha.add_patron("0012345", PIN)
        api = koha.base_url + "/api/v1"
        async with aiohttp.ClientSession() as session:
            status, token = await _call(
                session,
                "POST",
                api + "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                },
            )
            assert status == 200 and token["token_type"] == "Bearer"
            signed = {"Authorization": "Bearer " + token["access_token"]}
            assert await _call(session, "GET", api + "/patrons") == (
                401,
                {"error": "Authentication failure."},
            )
            status, body = await _call(
                session, "GET", api + "/patrons", params={"card": "1"}, headers=signed
            )
            assert (status, body["errors"][0]["path"]) == (400, "/query/card")
            status, body = await _call(
                session,
                "GET",
                api + "/checkouts",
                headers={**signed, "x-koha-embed": "item"},
            )
            assert (status, body["errors"][0]["path"]) == (400, "/x-koha-embed")
            status, body = await _call(
                session,
                "POST",
                api + "/auth/password/validation",
                json={"cardnumber": "0012345", "password": PIN},
                headers=signed,
            )
            assert status == 400 and "cardnumber" in body["errors"][0]["message"]
            status, body = await _call(
                session, "POST", api + "/checkouts/12345/renewal", headers=signed
            )
            assert (status, body) == (
                404,
                {"error": "Checkout not found", "error_code": "not_found"},
            )
            clock.advance(seconds=3601)
            status, _ = await _call(session, "GET", api + "/patrons", headers=signed)
            assert status == 401
