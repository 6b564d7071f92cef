"""The loans port (``handlers.loans.ils.Ils``) on Koha's REST API.

Every call follows Koha's OpenAPI spec, ``api/v1/swagger/`` in the Koha repository; each
method names the ``paths/*.yaml`` file it follows. The bot acts as its own staff account
(permissions: see the README), so a reader is identified by card number, and a renewal
first checks that the checkout belongs to that card: a forged button cannot renew another
reader's loan.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from bot.ils.koha.refusals import code_in_error, refusal_for
from bot.ils.koha.transport import KohaResponse, KohaTransport
from handlers.loans.ils import (
    IlsUnavailable,
    Loan,
    PatronCheck,
    PatronStatus,
    Refusal,
    Renewal,
)
from storage.types import Clock

logger = logging.getLogger(__name__)

MAX_CARD_LENGTH = 32
"""``borrowers.cardnumber`` is varchar(32) in Koha."""
MAX_PIN_LENGTH = 256
PAGE_SIZE = 100
PARALLEL_REQUESTS = 4
MAX_PAGES = 10
"""A thousand current loans on one card is a data problem, not a reader: stop there."""


class KohaIls:
    """Koha's REST API as the bot's circulation backend."""

    def __init__(
        self,
        transport: KohaTransport,
        *,
        clock: Clock,
        needs_pin: bool = True,
        timezone: tzinfo = UTC,
    ) -> None:
        self._http = transport
        self._clock = clock
        self.needs_pin = needs_pin
        self._tz = timezone
        """Koha's dates carry an offset; a bare date or time is read in the library's zone."""

    def __repr__(self) -> str:
        return f"KohaIls(needs_pin={self.needs_pin})"

    async def close(self) -> None:
        await self._http.close()

    async def verify(self, card: str, pin: str | None) -> PatronCheck:
        card = card.strip()
        if not card or len(card) > MAX_CARD_LENGTH:
            return PatronCheck(PatronStatus.UNKNOWN_CARD)
        patron = await self._patron(card)
        if patron is None:
            return PatronCheck(PatronStatus.UNKNOWN_CARD)
        if self.needs_pin and not await self._password_matches(card, pin, patron["patron_id"]):
            return PatronCheck(PatronStatus.WRONG_PIN)
        name = " ".join(part for part in (patron.get("firstname"), patron.get("surname")) if part)
        if self._expired(patron.get("expiry_date")):
            status = PatronStatus.CARD_EXPIRED
        elif patron.get("restricted") is True:
            status = PatronStatus.BLOCKED
        else:
            status = PatronStatus.OK
        return PatronCheck(status, name=name or None)

    async def loans(self, card: str) -> Sequence[Loan]:
        patron = await self._patron(card.strip())
        if patron is None:
            return []
        checkouts = await self._checkouts(patron["patron_id"])
        titles = await self._titles([c.get("item_id") for c in checkouts])
        renewability = await self._each_renewability([c["checkout_id"] for c in checkouts])
        return [
            Loan(
                loan_id=str(checkout["checkout_id"]),
                title=titles.get(checkout.get("item_id"), ""),
                due=self._moment(checkout.get("due_date")),
                renewals_left=left,
                refusal=refusal,
            )
            for checkout, (left, refusal) in zip(checkouts, renewability, strict=True)
        ]

    async def renew(self, card: str, loan_id: str) -> Renewal:
        checkout = await self._own_checkout(card.strip(), loan_id)
        if checkout is None:
            return Renewal(loan_id=loan_id, title="", renewed=False, refusal=Refusal.OTHER)
        titles = await self._titles([checkout.get("item_id")])
        return await self._renew(checkout, titles.get(checkout.get("item_id"), ""))

    async def renew_all(self, card: str) -> Sequence[Renewal]:
        patron = await self._patron(card.strip())
        if patron is None:
            return []
        checkouts = await self._checkouts(patron["patron_id"])
        titles = await self._titles([c.get("item_id") for c in checkouts])
        results: list[Renewal] = []
        for checkout in checkouts:
            try:
                results.append(await self._renew(checkout, titles.get(checkout.get("item_id"), "")))
            except IlsUnavailable as error:
                # Koha renews one checkout per request: those already renewed stay renewed.
                raise IlsUnavailable(str(error), done=results) from error
        return results

    # paths/patrons.yaml: GET /patrons, filtered by cardnumber with _match=exact (the
    # default match is "contains", which would find 1234 for 123).
    async def _patron(self, card: str) -> Mapping[str, Any] | None:
        if not card or len(card) > MAX_CARD_LENGTH:
            return None
        response = await self._http.request(
            "GET", "/patrons", params={"cardnumber": card, "_match": "exact"}
        )
        found = [
            p
            for p in _ok_list(response, "GET /patrons")
            if isinstance(p, Mapping)
            and isinstance(p.get("patron_id"), int)
            and str(p.get("cardnumber", "")).casefold() == card.casefold()
        ]
        if len(found) > 1:
            raise IlsUnavailable("Koha holds several patrons with one card number")
        return found[0] if found else None

    # paths/auth.yaml: POST /auth/password/validation, body {identifier, password}; 201
    # with the patron's id, 400 "Validation failed" for a wrong password (Koha's
    # Auth::Password#validate). The password is sent here only, and never logged.
    async def _password_matches(self, card: str, pin: str | None, patron_id: int) -> bool:
        if not pin or len(pin) > MAX_PIN_LENGTH:
            return False
        response = await self._http.request(
            "POST", "/auth/password/validation", json={"identifier": card, "password": pin}
        )
        if response.status == 400:
            return False
        body = _ok_object(response, "POST /auth/password/validation", expected=201)
        # Koha matches the identifier as a userid before a card number: make sure the
        # password that matched is this card's patron's.
        return body.get("patron_id") == patron_id

    # paths/checkouts.yaml: GET /checkouts?patron_id= (current checkouts), paged.
    async def _checkouts(self, patron_id: int) -> list[Mapping[str, Any]]:
        found: list[Mapping[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            response = await self._http.request(
                "GET",
                "/checkouts",
                params={
                    "patron_id": str(patron_id),
                    "_page": str(page),
                    "_per_page": str(PAGE_SIZE),
                },
            )
            batch = _ok_list(response, "GET /checkouts")
            found.extend(
                c
                for c in batch
                if isinstance(c, Mapping)
                and isinstance(c.get("checkout_id"), int)
                and c.get("patron_id") == patron_id
            )
            if len(batch) < PAGE_SIZE:
                break
        return found

    # paths/checkouts.yaml: GET /checkouts/{checkout_id}; 404 once it is returned.
    async def _own_checkout(self, card: str, loan_id: str) -> Mapping[str, Any] | None:
        if not loan_id.isascii() or not loan_id.isdigit() or len(loan_id) > 18:
            return None
        patron = await self._patron(card)
        if patron is None:
            return None
        response = await self._http.request(
            "GET", "/checkouts/{checkout_id}", path=f"/checkouts/{int(loan_id)}"
        )
        if response.status == 404:
            return None
        checkout = _ok_object(response, "GET /checkouts/{checkout_id}")
        if checkout.get("patron_id") != patron["patron_id"] or checkout.get("checkin_date"):
            return None
        return checkout

    async def _each_renewability(
        self, checkout_ids: Sequence[int]
    ) -> list[tuple[int | None, Refusal | None]]:
        """A few at a time: fast for the reader, gentle on a Koha that serves the desk too.
        If one fails the rest are cancelled, so no request outlives the call."""
        gate = asyncio.Semaphore(PARALLEL_REQUESTS)

        async def one(checkout_id: int) -> tuple[int | None, Refusal | None]:
            async with gate:
                return await self._renewability(checkout_id)

        tasks = [asyncio.ensure_future(one(c)) for c in checkout_ids]
        try:
            return await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    # paths/checkouts.yaml: GET /checkouts/{checkout_id}/allows_renewal
    # (definitions/allows_renewal.yaml).
    async def _renewability(self, checkout_id: int) -> tuple[int | None, Refusal | None]:
        response = await self._http.request(
            "GET",
            "/checkouts/{checkout_id}/allows_renewal",
            path=f"/checkouts/{checkout_id}/allows_renewal",
        )
        if response.status == 404:
            return None, Refusal.OTHER
        body = _ok_object(response, "GET /checkouts/{checkout_id}/allows_renewal")
        most, used = _count(body.get("max_renewals")), body.get("current_renewals")
        left = max(0, most - used) if most is not None and isinstance(used, int) else None
        if body.get("allows_renewal") is True:
            return left, None
        return left, refusal_for(body.get("error"))

    # paths/checkouts.yaml: POST /checkouts/{checkout_id}/renewal; 201 with the renewed
    # checkout, 403 {"error": "Renewal not authorized (<code>)"}, 404 once returned.
    async def _renew(self, checkout: Mapping[str, Any], title: str) -> Renewal:
        checkout_id = checkout["checkout_id"]
        route = "/checkouts/{checkout_id}/renewal"
        response = await self._http.request("POST", route, path=f"/checkouts/{checkout_id}/renewal")
        loan_id = str(checkout_id)
        if response.status == 201:
            renewed = _ok_object(response, f"POST {route}", expected=201)
            return Renewal(loan_id, title, renewed=True, due=self._moment(renewed.get("due_date")))
        if response.status == 404:
            return Renewal(loan_id, title, renewed=False, refusal=Refusal.OTHER)
        if response.status == 403 and not _lacks_permission(response.body):
            code = code_in_error(response.body)
            logger.info("Koha refused renewing checkout %s: %s", checkout_id, code)
            return Renewal(loan_id, title, renewed=False, refusal=refusal_for(code))
        raise _unexpected(response, f"POST {route}")

    # paths/items.yaml: GET /items with q={"item_id": [...]} (an OR of the ids) and
    # x-koha-embed: biblio, whose title is the one a reader knows. The checkout routes
    # embed only issuer and renewals, so the title comes from here.
    async def _titles(self, item_ids: Sequence[object]) -> dict[object, str]:
        ids = sorted({i for i in item_ids if isinstance(i, int)})
        if not ids:
            return {}
        response = await self._http.request(
            "GET",
            "/items",
            params={"q": json.dumps({"item_id": ids}), "_per_page": str(len(ids))},
            headers={"x-koha-embed": "biblio"},
        )
        titles: dict[object, str] = {}
        for item in _ok_list(response, "GET /items"):
            if not isinstance(item, Mapping):
                continue
            biblio = item.get("biblio")
            title = biblio.get("title") if isinstance(biblio, Mapping) else None
            barcode = item.get("external_id")
            text = title if isinstance(title, str) and title.strip() else barcode
            titles[item.get("item_id")] = (
                text.strip().rstrip(" /:;") if isinstance(text, str) else ""
            )
        return titles

    def _moment(self, value: object) -> datetime:
        if not isinstance(value, str):
            raise IlsUnavailable("Koha sent a checkout without a due date")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise IlsUnavailable("Koha sent a due date that is not ISO 8601") from None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=self._tz)

    def _expired(self, expiry: object) -> bool:
        if not isinstance(expiry, str):
            return False
        try:
            last_day = date.fromisoformat(expiry[:10])
        except ValueError:
            return False
        return last_day < self._clock().astimezone(self._tz).date()


def _count(value: object) -> int | None:
    """``max_renewals`` is a circulation rule's value: Koha sends it as a number or a string."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _lacks_permission(body: object) -> bool:
    """Koha's own 403 for an API account without the route's permission (REST::V1::Auth)."""
    return isinstance(body, Mapping) and "required_permissions" in body


def _ok_list(response: KohaResponse, call: str) -> list[Any]:
    if response.status != 200 or not isinstance(response.body, list):
        raise _unexpected(response, call)
    return response.body


def _ok_object(response: KohaResponse, call: str, *, expected: int = 200) -> Mapping[str, Any]:
    if response.status != expected or not isinstance(response.body, Mapping):
        raise _unexpected(response, call)
    return response.body


def _unexpected(response: KohaResponse, call: str) -> IlsUnavailable:
    error = response.body.get("error") if isinstance(response.body, Mapping) else None
    detail = f": {str(error)[:200]!r}" if isinstance(error, str) else ""
    if _lacks_permission(response.body):
        detail += " (grant the bot's Koha account the permissions listed in the README)"
    return IlsUnavailable(f"Koha answered {call} with HTTP {response.status}{detail}")
