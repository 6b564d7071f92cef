"""A fake Koha REST API on 127.0.0.1 for the Koha backend's tests, strict like the real one.

It follows Koha's OpenAPI spec (``api/v1/swagger/`` in the Koha repository) for the routes the
bot calls, and Koha's controllers for what they answer:

- ``POST /api/v1/oauth/token`` (``paths/oauth.yaml``, ``Koha::REST::V1::OAuth``): form fields
  grant_type, client_id, client_secret; 400 "Unimplemented grant type", 403 for an unknown
  client; tokens live ``token_lifetime`` seconds of the fake's clock.
- Every other route checks the ``Authorization`` header as ``Koha::REST::V1::Auth`` does
  (401 ``{"error": "Authentication failure."}``; "Basic authentication disabled" when basic
  auth is off) and the route's permission (403 with ``required_permissions``).
- ``GET /patrons`` (``paths/patrons.yaml``): cardnumber, patron_id, userid, with ``_match``
  (contains, the default, exact, starts_with, ends_with).
- ``POST /auth/password/validation`` (``paths/auth.yaml``, ``Auth::Password#validate``): body
  with only identifier, password, userid; 201 ``{cardnumber, patron_id, userid}`` or 400
  ``{"error": "Validation failed"}``.
- ``GET /checkouts?patron_id=``, ``GET /checkouts/{id}``, ``GET /checkouts/{id}/allows_renewal``
  and ``POST /checkouts/{id}/renewal`` (``paths/checkouts.yaml``, ``Koha::REST::V1::Checkouts``):
  a renewal refused answers 403 ``{"error": "Renewal not authorized (<code>)"}`` with the
  codes of ``CanBookBeRenewed``; a missing checkout 404 with ``error_code: not_found``.
- ``GET /items`` (``paths/items.yaml``) with ``q={"item_id": [...]}`` and
  ``x-koha-embed: biblio``.

A query parameter the route does not define answers 400 "Malformed query string"
(``validate_query_parameters``); so does one the spec defines but this fake does not
implement (then the message says so), an ``x-koha-embed`` value outside the route's enum,
and a body sent to a route whose spec defines none.
Error bodies are ``{"error": ..., "error_code": ...}`` (``definitions/error.yaml``), and
validation errors ``{"errors": [{"message", "path"}], "status": 400}`` as the OpenAPI plugin
renders them.

Tests set up the circulation state (patrons, items, checkouts, holds, restrictions) and the
fake's clock, and can make the next requests fail (``fail_next``), hang (``hang_next``) or
answer an HTML page (``garble_next``).
Everything received is kept in ``received``.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from bot.playground.platforms.lifecycle import StartsAndStops

JsonDict = dict[str, Any]
Handler = Callable[[web.Request, re.Match[str]], Awaitable[web.Response]]

PAGING = frozenset({"_page", "_per_page", "_match", "_order_by", "q"})
"""The list routes' common parameters (``swagger.yaml``, parameters)."""


@dataclass
class FakePatron:
    patron_id: int
    cardnumber: str
    password: str
    firstname: str = "Анна"
    surname: str = "Иванова"
    userid: str | None = None
    expiry_date: date | None = None
    restricted: bool = False
    """A debarment or another restriction (``restricted`` in ``definitions/patron.yaml``)."""


@dataclass
class FakeItem:
    item_id: int
    biblio_id: int
    barcode: str
    title: str
    denied_renewal: bool = False
    """Matched by ItemsDeniedRenewal: ``item_denied_renewal``."""


@dataclass
class FakeCheckout:
    checkout_id: int
    patron_id: int
    item_id: int
    due: datetime
    checked_out: datetime
    renewals_count: int = 0
    max_renewals: int = 2
    onsite: bool = False
    returned: datetime | None = None


@dataclass(frozen=True, slots=True)
class Received:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: str


@dataclass(frozen=True, slots=True)
class _Fault:
    kind: str
    path: str | None
    status: int = 500


@dataclass(frozen=True, slots=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    permission: str
    query: frozenset[str] = frozenset()
    unimplemented: frozenset[str] = frozenset()
    embeds: frozenset[str] = frozenset()
    takes_body: bool = False


class FakeKoha(StartsAndStops):
    """``async with FakeKoha(now=clock) as koha:`` then ``koha.base_url`` is Koha's address."""

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        oauth_clients: Mapping[str, str] | None = None,
        basic_users: Mapping[str, str] | None = None,
        permissions: frozenset[str] = frozenset({"borrowers", "circulate", "catalogue"}),
        token_lifetime: int = 3600,
    ) -> None:
        self.now = now
        self.oauth_clients = dict(oauth_clients or {})
        self.basic_users = dict(basic_users or {})
        self.permissions = set(permissions)
        self.token_lifetime = token_lifetime
        self.renewal_days = 14
        self.no_renewal_before_days: int | None = None
        """Circulation rule "No renewal before": renewing earlier is ``too_soon``."""
        self.overdues_block_renewing = True
        self.patrons: dict[int, FakePatron] = {}
        self.items: dict[int, FakeItem] = {}
        self.checkouts: dict[int, FakeCheckout] = {}
        self.holds: set[int] = set()
        """Biblio ids another reader holds: their checkouts renew as ``on_reserve``."""
        self.received: list[Received] = []
        self.tokens_issued = 0
        self._tokens: dict[str, datetime] = {}
        self._ids = itertools.count(1)
        self._faults: list[_Fault] = []
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self._routes = self._route_table()

    # --- setting up the circulation state --------------------------------------------

    def add_patron(self, cardnumber: str, password: str, **fields: Any) -> FakePatron:
        patron = FakePatron(next(self._ids), cardnumber, password, **fields)
        self.patrons[patron.patron_id] = patron
        return patron

    def lend(
        self,
        patron: FakePatron,
        title: str,
        *,
        due: datetime,
        renewals: int = 0,
        max_renewals: int = 2,
        onsite: bool = False,
        denied_renewal: bool = False,
    ) -> FakeCheckout:
        item_id = next(self._ids)
        item = FakeItem(item_id, next(self._ids), f"B{item_id:06d}", title, denied_renewal)
        self.items[item_id] = item
        checkout = FakeCheckout(
            next(self._ids),
            patron.patron_id,
            item_id,
            due=due,
            checked_out=due - timedelta(days=14),
            renewals_count=renewals,
            max_renewals=max_renewals,
            onsite=onsite,
        )
        self.checkouts[checkout.checkout_id] = checkout
        return checkout

    def place_hold(self, checkout: FakeCheckout) -> None:
        """Another reader reserves the title on loan in ``checkout``."""
        self.holds.add(self.items[checkout.item_id].biblio_id)

    def fail_next(self, count: int = 1, status: int = 500, *, path: str | None = None) -> None:
        """The next ``count`` requests (to ``path`` under /api/v1, if given) answer ``status``."""
        self._faults.extend([_Fault("fail", path, status)] * count)

    def garble_next(self, count: int = 1, *, path: str | None = None) -> None:
        """The next requests get 200 with an HTML page, as from a misconfigured proxy."""
        self._faults.extend([_Fault("garble", path)] * count)

    def hang_next(self, count: int = 1, *, path: str | None = None) -> None:
        """The next requests get no answer until the server stops (the client times out)."""
        self._faults.extend([_Fault("hang", path)] * count)

    def expire_tokens(self) -> None:
        self._tokens.clear()

    def api_requests(self) -> list[Received]:
        return [r for r in self.received if not r.path.endswith("/oauth/token")]

    # --- the server -------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(middlewares=[self._dispatch])
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None)
        assert sockets
        self.base_url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"

    async def stop(self) -> None:
        """Stop answering: afterwards the port refuses connections, as a Koha that is down."""
        self._released.set()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @web.middleware
    async def _dispatch(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        body = await request.text()
        self.received.append(
            Received(
                request.method,
                request.path,
                {k: request.query.getall(k) for k in request.query},
                {k.lower(): v for k, v in request.headers.items()},
                body,
            )
        )
        path = request.path.removeprefix("/api/v1")
        fault = next((f for f in self._faults if f.path in (None, path)), None)
        if fault is not None:
            self._faults.remove(fault)
            if fault.kind == "hang":
                await self._released.wait()
                return _error(503, "Under maintenance")
            if fault.kind == "garble":
                return web.Response(
                    text="<html>Koha is being upgraded</html>", content_type="text/html"
                )
            return _error(fault.status, "Something went wrong, check the logs.")
        if request.path == path:
            return _error(404, "Not found")
        if path == "/oauth/token":
            if request.method != "POST":
                return _error(404, "Not found")
            return await self._token(request)
        denied = self._authenticate(request)
        if denied is not None:
            return denied
        for route in self._routes:
            match = route.pattern.fullmatch(path)
            if match is None:
                continue
            if request.method != route.method:
                return _error(404, "Not found")
            if route.permission not in self.permissions:
                return web.json_response(
                    {
                        "error": "Authorization failure. Missing required permission(s).",
                        "required_permissions": {route.permission: 1},
                    },
                    status=403,
                )
            if body and not route.takes_body:
                return _invalid("/body", "The route defines no body.")
            invalid = _check_query(request, route) or _check_embed(request, route)
            if invalid is not None:
                return invalid
            return await route.handler(request, match)
        return _error(404, "Not found")

    def _route_table(self) -> list[_Route]:
        return [
            _Route(
                "GET",
                re.compile(r"/patrons"),
                self._list_patrons,
                "borrowers",
                query=PAGING | {"patron_id", "cardnumber", "userid"},
                unimplemented=frozenset({"surname", "firstname", "email", "expiry_date"}),
                embeds=frozenset({"extended_attributes", "library"}),
            ),
            _Route(
                "POST",
                re.compile(r"/auth/password/validation"),
                self._validate_password,
                "borrowers",
                takes_body=True,
            ),
            _Route(
                "GET",
                re.compile(r"/checkouts"),
                self._list_checkouts,
                "circulate",
                query=PAGING | {"patron_id", "checked_in"},
                embeds=frozenset({"issuer", "renewals"}),
            ),
            _Route(
                "GET",
                re.compile(r"/checkouts/(?P<id>[^/]+)"),
                self._get_checkout,
                "circulate",
                embeds=frozenset({"issuer", "renewals"}),
            ),
            _Route(
                "GET",
                re.compile(r"/checkouts/(?P<id>[^/]+)/allows_renewal"),
                self._allows_renewal,
                "circulate",
            ),
            _Route(
                "POST",
                re.compile(r"/checkouts/(?P<id>[^/]+)/renewal"),
                self._renew,
                "circulate",
                query=frozenset({"seen"}),
            ),
            _Route(
                "GET",
                re.compile(r"/items"),
                self._list_items,
                "catalogue",
                query=PAGING | {"external_id"},
                embeds=frozenset({"+strings", "biblio"}),
            ),
        ]

    # --- authentication ----------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        unknown = set(form) - {"grant_type", "client_id", "client_secret"}
        if unknown or "grant_type" not in form:
            return _invalid(f"/{sorted(unknown or {'grant_type'})[0]}", "Unknown or missing")
        if form.get("grant_type") != "client_credentials" or not self.oauth_clients:
            return _error(400, "Unimplemented grant type")
        client_id, client_secret = str(form.get("client_id", "")), form.get("client_secret")
        if self.oauth_clients.get(client_id) != client_secret:
            return _error(403, "unauthorized_client")
        token = secrets.token_hex(16)
        self._tokens[token] = self.now() + timedelta(seconds=self.token_lifetime)
        self.tokens_issued += 1
        return web.json_response(
            {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime}
        )

    def _authenticate(self, request: web.Request) -> web.Response | None:
        header = request.headers.get("Authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme == "Bearer":
            expires = self._tokens.get(credentials)
            if expires is not None and self.now() < expires:
                return None
        elif scheme == "Basic":
            if not self.basic_users:
                return _error(401, "Basic authentication disabled")
            try:
                user, _, password = base64.b64decode(credentials).decode().partition(":")
            except ValueError:
                return _error(401, "Authentication failure.")
            if self.basic_users.get(user) == password:
                return None
        return _error(401, "Authentication failure.")

    # --- patrons ----------------------------------------------------------------------

    async def _list_patrons(self, request: web.Request, _: re.Match[str]) -> web.Response:
        match = request.query.get("_match", "contains")
        found = list(self.patrons.values())
        for name in ("cardnumber", "userid", "patron_id"):
            if name in request.query:
                wanted = request.query[name].casefold()
                found = [p for p in found if _matches(str(getattr(p, name) or ""), wanted, match)]
        return _page(request, [self._patron_json(p) for p in found])

    def _patron_json(self, patron: FakePatron) -> JsonDict:
        return {
            "patron_id": patron.patron_id,
            "cardnumber": patron.cardnumber,
            "firstname": patron.firstname,
            "surname": patron.surname,
            "userid": patron.userid,
            "library_id": "MAIN",
            "category_id": "READER",
            "expiry_date": patron.expiry_date.isoformat() if patron.expiry_date else None,
            "restricted": patron.restricted,
        }

    async def _validate_password(self, request: web.Request, _: re.Match[str]) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return _invalid("/body", "Expected object - got string.")
        if not isinstance(body, dict):
            return _invalid("/body", "Expected object.")
        unknown = sorted(set(body) - {"identifier", "password", "userid"})
        if unknown:
            return _invalid("/body", "Properties not allowed: " + ", ".join(unknown) + ".")
        if "password" not in body:
            return _invalid("/body/password", "Missing property.")
        if not all(isinstance(v, str) for v in body.values()):
            return _invalid("/body", "Expected string.")
        identifier, userid = body.get("identifier"), body.get("userid")
        if (identifier is None) == (userid is None):
            return _error(400, "Validation failed")
        wanted = identifier if identifier is not None else userid
        # Koha's checkpw matches a userid first, then a card number.
        patron = next((p for p in self.patrons.values() if p.userid == wanted), None)
        if patron is None and identifier is not None:
            patron = next((p for p in self.patrons.values() if p.cardnumber == wanted), None)
        if patron is None or patron.password != body["password"]:
            return _error(400, "Validation failed")
        return web.json_response(
            {
                "cardnumber": patron.cardnumber,
                "patron_id": patron.patron_id,
                "userid": patron.userid,
            },
            status=201,
        )

    # --- checkouts --------------------------------------------------------------------

    async def _list_checkouts(self, request: web.Request, _: re.Match[str]) -> web.Response:
        wanted = request.query.get("patron_id")
        if wanted is not None and not wanted.isdigit():
            return _invalid("/patron_id", "Expected integer - got string.")
        found = [
            c
            for c in self.checkouts.values()
            if c.returned is None and (wanted is None or c.patron_id == int(wanted))
        ]
        return _page(request, [self._checkout_json(c) for c in found])

    async def _get_checkout(self, request: web.Request, match: re.Match[str]) -> web.Response:
        checkout = self._find(match)
        if isinstance(checkout, web.Response):
            return checkout
        return web.json_response(self._checkout_json(checkout))

    async def _allows_renewal(self, request: web.Request, match: re.Match[str]) -> web.Response:
        checkout = self._find(match)
        if isinstance(checkout, web.Response):
            return checkout
        error = self._why_not_renewable(checkout)
        return web.json_response(
            {
                "allows_renewal": error is None,
                "max_renewals": checkout.max_renewals,
                "current_renewals": checkout.renewals_count,
                "unseen_renewals": 0,
                "error": error,
            }
        )

    async def _renew(self, request: web.Request, match: re.Match[str]) -> web.Response:
        checkout = self._find(match)
        if isinstance(checkout, web.Response):
            return checkout
        error = self._why_not_renewable(checkout)
        if error is not None:
            return _error(403, f"Renewal not authorized ({error})")
        base = max(checkout.due, self.now())
        checkout.due = datetime.combine(
            (base + timedelta(days=self.renewal_days)).date(), time(23, 59), tzinfo=base.tzinfo
        )
        checkout.renewals_count += 1
        return web.json_response(self._checkout_json(checkout), status=201)

    def _find(self, match: re.Match[str]) -> FakeCheckout | web.Response:
        raw = match.group("id")
        if not raw.isdigit():
            return _invalid("/checkout_id", "Expected integer - got string.")
        checkout = self.checkouts.get(int(raw))
        if checkout is None or checkout.returned is not None:
            return _error(404, "Checkout not found", "not_found")
        return checkout

    def _why_not_renewable(self, checkout: FakeCheckout) -> str | None:
        """CanBookBeRenewed, in the order Koha checks."""
        patron = self.patrons[checkout.patron_id]
        item = self.items[checkout.item_id]
        now = self.now()
        if checkout.onsite:
            return "onsite_checkout"
        if item.denied_renewal:
            return "item_denied_renewal"
        if patron.expiry_date is not None and patron.expiry_date < now.date():
            return "card_expired"
        if patron.restricted:
            return "restriction"
        if self.overdues_block_renewing and checkout.due < now:
            return "overdue"
        if checkout.renewals_count >= checkout.max_renewals:
            return "too_many"
        if item.biblio_id in self.holds:
            return "on_reserve"
        if self.no_renewal_before_days is not None and now < checkout.due - timedelta(
            days=self.no_renewal_before_days
        ):
            return "too_soon"
        return None

    def _checkout_json(self, checkout: FakeCheckout) -> JsonDict:
        return {
            "checkout_id": checkout.checkout_id,
            "patron_id": checkout.patron_id,
            "item_id": checkout.item_id,
            "external_id": self.items[checkout.item_id].barcode,
            "due_date": checkout.due.isoformat(),
            "checkout_date": checkout.checked_out.isoformat(),
            "library_id": "MAIN",
            "renewals_count": checkout.renewals_count,
            "unseen_renewals": 0,
            "auto_renew": False,
            "onsite_checkout": checkout.onsite,
            "checkin_date": checkout.returned.isoformat() if checkout.returned else None,
        }

    # --- items ------------------------------------------------------------------------

    async def _list_items(self, request: web.Request, _: re.Match[str]) -> web.Response:
        found = list(self.items.values())
        if "q" in request.query:
            try:
                query = json.loads(request.query["q"])
            except ValueError:
                return _error(400, "Invalid query", "invalid_query")
            if not isinstance(query, dict) or set(query) != {"item_id"}:
                return _error(400, "this fake filters items on item_id only", "invalid_query")
            wanted = query["item_id"]
            ids = set(wanted) if isinstance(wanted, list) else {wanted}
            found = [i for i in found if i.item_id in ids]
        embed = _embeds(request)
        return _page(request, [_item_json(i, "biblio" in embed) for i in found])


def _item_json(item: FakeItem, with_biblio: bool) -> JsonDict:
    body: JsonDict = {
        "item_id": item.item_id,
        "biblio_id": item.biblio_id,
        "external_id": item.barcode,
        "home_library_id": "MAIN",
    }
    if with_biblio:
        body["biblio"] = {"biblio_id": item.biblio_id, "title": item.title, "author": None}
    return body


def _matches(value: str, wanted: str, how: str) -> bool:
    value = value.casefold()
    if how == "exact":
        return value == wanted
    if how == "starts_with":
        return value.startswith(wanted)
    if how == "ends_with":
        return value.endswith(wanted)
    return wanted in value


def _page(request: web.Request, rows: list[JsonDict]) -> web.Response:
    """Koha's paging: ``_per_page`` (default 20, -1 for all) and ``_page``, X-Total-Count."""
    per_page = int(request.query.get("_per_page", "20"))
    page = int(request.query.get("_page", "1"))
    shown = rows if per_page == -1 else rows[(page - 1) * per_page : page * per_page]
    return web.json_response(shown, headers={"X-Total-Count": str(len(rows))})


def _check_query(request: web.Request, route: _Route) -> web.Response | None:
    for name in request.query:
        if name in route.unimplemented:
            return _invalid(f"/query/{name}", "Defined by Koha but not implemented by the fake")
        if name not in route.query:
            return _invalid(f"/query/{name}", "Malformed query string")
    for name in ("_page", "_per_page", "patron_id", "seen"):
        value = request.query.get(name)
        if value is not None and not re.fullmatch(r"-?\d+", value):
            return _invalid(f"/{name}", "Expected integer - got string.")
    match = request.query.get("_match")
    if match is not None and match not in {"contains", "exact", "starts_with", "ends_with"}:
        return _invalid("/_match", "Not in enum list: contains, exact, starts_with, ends_with.")
    return None


def _check_embed(request: web.Request, route: _Route) -> web.Response | None:
    for value in _embeds(request):
        if value not in route.embeds:
            return _invalid(
                "/x-koha-embed", f"Not in enum list: {', '.join(sorted(route.embeds))}."
            )
    return None


def _embeds(request: web.Request) -> set[str]:
    header = request.headers.get("x-koha-embed", "")
    return {part.strip() for part in header.split(",") if part.strip()}


def _error(status: int, message: str, code: str | None = None) -> web.Response:
    body: JsonDict = {"error": message}
    if code is not None:
        body["error_code"] = code
    return web.json_response(body, status=status)


def _invalid(path: str, message: str) -> web.Response:
    return web.json_response(
        {"errors": [{"message": message, "path": path}], "status": 400}, status=400
    )
