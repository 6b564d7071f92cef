"""The SIP2 backend of the loans feature: :class:`handlers.loans.ils.Ils` over one connection.

Requests go one at a time (SIP2 has no request ids, so a response belongs to the one request
in flight). A broken connection is reopened, logged in again and the request repeated, a
bounded number of times, except a renewal whose request may already have reached the server:
repeating it could renew twice, so its outcome is reported unknown and the request goes to
staff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.ils.sip2 import mapping
from bot.ils.sip2.codec import Message, can_carry, check_charset, message
from bot.ils.sip2.config import Sip2Config
from bot.ils.sip2.connection import Connection, Endpoint, ExchangeBroken
from bot.ils.sip2.dates import format_sip_date, parse_sip_date
from handlers.loans.ils import (
    IlsUnavailable,
    Loan,
    PatronCheck,
    PatronStatus,
    Refusal,
    Renewal,
)
from storage.types import Clock

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
_T = TypeVar("_T")

_LANGUAGE = "000"  # "unknown": the server answers in its own default language
_NO_SUMMARY = " " * 10
_CHARGED_SUMMARY = "  Y       "  # position 2: charged items
_PAGE = 50
_MAX_PAGES = 20
_BACKOFF_CAP = 30.0
_BX_RENEW_ALL = 15
"""Position of Renew All in the supported-messages field (BX) of a 98 response."""


class LoginRefused(IlsUnavailable):
    """The server refused the bot's SC account: a setting to fix, not a network hiccup."""


@dataclass(frozen=True, slots=True)
class _Item:
    title: str | None
    due: datetime | None
    holds: int


@dataclass(frozen=True, slots=True)
class _Patron:
    known: bool
    password_ok: bool | None
    flags: frozenset[mapping.PatronFlag]
    expired: bool
    name: str | None
    messages: list[str]
    charged: list[str]
    charged_count: int | None

    @property
    def refusal(self) -> Refusal | None:
        expired = self.expired or (
            (mapping.PatronFlag.RENEWAL_DENIED in self.flags)
            and mapping.refusal_from_text(self.messages) is Refusal.CARD_EXPIRED
        )
        return mapping.refusal_from_patron(self.flags, expired)


_UNKNOWN_ITEM = _Item(title=None, due=None, holds=0)


class _Details:
    """Item details (17) after the server has renewed: a lookup that fails leaves the item
    unknown instead of failing the renewal, and once one has failed the rest are not asked
    for (each would wait through every retry of a server that is down)."""

    def __init__(self, item: Callable[[str], Awaitable[_Item]]) -> None:
        self._item = item
        self.answering = True

    async def of(self, barcode: str) -> _Item:
        if not self.answering:
            return _UNKNOWN_ITEM
        try:
            return await self._item(barcode)
        except IlsUnavailable as error:
            log.warning("SIP2 details of a renewed item not read; kept as known: %s", error)
            self.answering = False
            return _UNKNOWN_ITEM


def _refusal(messages: list[str]) -> Refusal:
    return mapping.refusal_from_text(messages) or Refusal.OTHER


class Sip2Ils:
    """A SIP2 self-check client renewing loans on the reader's behalf."""

    def __init__(self, config: Sip2Config, *, clock: Clock, sleep: Sleep = asyncio.sleep) -> None:
        self.needs_pin = config.needs_pin
        self._config = config
        self._tz = ZoneInfo(config.timezone)
        self._charset = check_charset(config.charset)
        self._endpoint = Endpoint(
            host=config.host,
            port=config.port,
            ssl=config.ssl_context(),
            timeout=config.timeout,
            charset=self._charset,
            error_detection=config.error_detection,
        )
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._connection: Connection | None = None
        self._renew_all_supported = True

    # --- the port -----------------------------------------------------------------------

    async def verify(self, card: str, pin: str | None) -> PatronCheck:
        card = card.strip()
        if not card or not can_carry(card, self._charset):
            return PatronCheck(PatronStatus.UNKNOWN_CARD)
        if self.needs_pin and not (pin and can_carry(pin, self._charset)):
            return PatronCheck(PatronStatus.WRONG_PIN)
        patron = await self._patron(card, pin=pin if self.needs_pin else None)
        message_text = mapping.joined(patron.messages)
        if not patron.known:
            return PatronCheck(PatronStatus.UNKNOWN_CARD, message=message_text)
        if self.needs_pin and patron.password_ok is not True:
            if patron.password_ok is None:
                log.warning("SIP2 server did not say whether the PIN is right (no CQ field)")
            return PatronCheck(PatronStatus.WRONG_PIN, message=message_text)
        refusal = patron.refusal
        status = PatronStatus.OK
        if refusal is Refusal.CARD_EXPIRED:
            status = PatronStatus.CARD_EXPIRED
        elif refusal is not None:
            status = PatronStatus.BLOCKED
        return PatronCheck(status, name=patron.name, message=message_text)

    async def loans(self, card: str) -> Sequence[Loan]:
        card = card.strip()
        if not card or not can_carry(card, self._charset):
            return []
        patron = await self._charged(card)
        if not patron.known:
            return []
        refusal = patron.refusal
        result: list[Loan] = []
        for barcode in patron.charged:
            item = await self._item(barcode)
            if item.due is None:
                log.warning("SIP2 item %s has no due date this client can read; skipped", barcode)
                continue
            result.append(
                Loan(
                    loan_id=barcode,
                    title=item.title or barcode,
                    due=item.due,
                    refusal=refusal or (Refusal.RESERVED if item.holds else None),
                )
            )
        return result

    async def renew(self, card: str, loan_id: str) -> Renewal:
        card, loan_id = card.strip(), loan_id.strip()
        if not all(value and can_carry(value, self._charset) for value in (card, loan_id)):
            return Renewal(loan_id=loan_id, title=loan_id, renewed=False, refusal=Refusal.OTHER)
        response = await self._call(
            message(
                "29",
                "NN" + self._now() + " " * 18,
                [
                    ("AO", self._config.institution_id),
                    ("AA", card),
                    ("AB", loan_id),
                    ("AC", self._config.terminal_password or None),
                    ("BO", "N"),  # never accept a renewal fee on the reader's behalf
                ],
            ),
            "30",
            repeatable=False,
        )
        messages = response.every("AF")
        title = response.first("AJ") or None
        if response.fixed[:2] == "1Y":
            due = parse_sip_date(response.first("AH") or "", self._tz)
            if due is None or title is None:
                item = await _Details(self._item).of(loan_id)
                due, title = due or item.due, title or item.title
            return Renewal(
                loan_id=loan_id,
                title=title or loan_id,
                renewed=True,
                due=due,
                message=mapping.joined(messages),
            )
        refusal = mapping.refusal_from_text(messages)
        if refusal is None or title is None:
            item = await self._item(loan_id)
            title = title or item.title
            if refusal is None and item.holds:
                refusal = Refusal.RESERVED
        return Renewal(
            loan_id=loan_id,
            title=title or loan_id,
            renewed=False,
            refusal=refusal or Refusal.OTHER,
            message=mapping.joined(messages),
        )

    async def renew_all(self, card: str) -> Sequence[Renewal]:
        card = card.strip()
        if not card or not can_carry(card, self._charset):
            return []
        if self._config.sc_status:
            await self._ready()  # the 98 response says whether 65 is supported
        if not self._renew_all_supported:
            return await self._renew_each(card)
        response = await self._call(
            message(
                "65",
                self._now(),
                [
                    ("AO", self._config.institution_id),
                    ("AA", card),
                    ("AC", self._config.terminal_password or None),
                    ("BO", "N"),
                ],
            ),
            "66",
            repeatable=False,
        )
        messages = response.every("AF")
        if response.fixed[:1] != "1":
            return await self._all_refused(card, messages)
        # The server has renewed what it renewed: from here on nothing may turn that into
        # "unavailable", or staff would be asked to renew the same books again.
        details = _Details(self._item)
        results: list[Renewal] = []
        for barcode in dict.fromkeys(b.strip() for b in response.every("BM") if b.strip()):
            item = await details.of(barcode)
            results.append(
                Renewal(loan_id=barcode, title=item.title or barcode, renewed=True, due=item.due)
            )
        for barcode in dict.fromkeys(b.strip() for b in response.every("BN") if b.strip()):
            results.append(await self._unrenewed(card, barcode, messages, details))
        return results

    async def close(self) -> None:
        async with self._lock:
            await self._drop()

    # --- requests -----------------------------------------------------------------------

    async def _renew_each(self, card: str) -> list[Renewal]:
        """Renew All without message 65: one 29 per loan; those done stay done."""
        results: list[Renewal] = []
        for loan in await self.loans(card):
            try:
                results.append(await self.renew(card, loan.loan_id))
            except IlsUnavailable as error:
                raise IlsUnavailable(str(error), done=results) from error
        return results

    async def _unrenewed(
        self, card: str, barcode: str, messages: list[str], details: _Details
    ) -> Renewal:
        """Why Renew All left this item, which a 66 response does not say per item.

        A hold on it says so; otherwise a single 29 for it gets the server's reason (and
        renews it, if whatever stopped it has passed since, which is what the reader asked).
        A server that stopped answering is not asked: the 66's own words are the reason.
        """
        item = await details.of(barcode)
        if item.holds or not details.answering:
            return Renewal(
                loan_id=barcode,
                title=item.title or barcode,
                renewed=False,
                refusal=Refusal.RESERVED if item.holds else _refusal(messages),
                message=mapping.joined(messages),
            )
        try:
            return await self.renew(card, barcode)
        except IlsUnavailable as error:
            log.warning("SIP2 could not ask why %s was not renewed: %s", barcode, error)
            return Renewal(
                loan_id=barcode,
                title=item.title or barcode,
                renewed=False,
                refusal=_refusal(messages),
                message=mapping.joined(messages),
            )

    async def _all_refused(self, card: str, messages: list[str]) -> list[Renewal]:
        """Renew All refused as a whole (ok = 0): every loan stays as it was, for one reason."""
        patron = await self._charged(card)
        # The patron's own state names the reason more surely than a general screen message.
        refusal = patron.refusal or mapping.refusal_from_text(messages) or Refusal.OTHER
        results: list[Renewal] = []
        for barcode in patron.charged:
            item = await self._item(barcode)
            results.append(
                Renewal(
                    loan_id=barcode,
                    title=item.title or barcode,
                    renewed=False,
                    refusal=refusal,
                    message=mapping.joined(messages),
                )
            )
        return results

    async def _patron(
        self, card: str, *, pin: str | None = None, summary: str = _NO_SUMMARY, start: int = 0
    ) -> _Patron:
        paged = summary != _NO_SUMMARY
        response = await self._call(
            message(
                "63",
                _LANGUAGE + self._now() + summary,
                [
                    ("AO", self._config.institution_id),
                    ("AA", card),
                    ("AC", self._config.terminal_password or None),
                    ("AD", pin),
                    ("BP", str(start) if paged else None),
                    ("BQ", str(start + _PAGE - 1) if paged else None),
                ],
            ),
            "64",
            repeatable=True,
        )
        valid = response.first("BL")
        name = (response.first("AE") or "").strip() or None
        password = response.first("CQ")
        charged = response.fixed[43:47]
        return _Patron(
            known=valid == "Y" or (valid is None and name is not None),
            password_ok=None if password is None else password == "Y",
            flags=mapping.flags(response.fixed[:14]),
            expired=self._expired(response.first("PA")),
            name=name,
            messages=response.every("AF"),
            charged=[
                barcode.strip()
                for barcode in response.every("AU") + response.every("AT")
                if barcode.strip()
            ],
            charged_count=int(charged) if charged.isdigit() else None,
        )

    async def _charged(self, card: str) -> _Patron:
        """The patron with every charged item, page by page (BP/BQ) as the server allows."""
        first = await self._patron(card, summary=_CHARGED_SUMMARY, start=1)
        barcodes = list(dict.fromkeys(first.charged))
        page = first
        for _ in range(_MAX_PAGES - 1):
            if not page.charged or first.charged_count is None:
                break
            if len(barcodes) >= first.charged_count:
                break
            page = await self._patron(card, summary=_CHARGED_SUMMARY, start=len(barcodes) + 1)
            new = [b for b in dict.fromkeys(page.charged) if b not in barcodes]
            if not new:
                break  # a server that ignores BP/BQ sends the same list again
            barcodes.extend(new)
        return _Patron(
            known=first.known,
            password_ok=first.password_ok,
            flags=first.flags,
            expired=first.expired,
            name=first.name,
            messages=first.messages,
            charged=barcodes,
            charged_count=first.charged_count,
        )

    async def _item(self, barcode: str) -> _Item:
        response = await self._call(
            message(
                "17",
                self._now(),
                [
                    ("AO", self._config.institution_id),
                    ("AB", barcode),
                    ("AC", self._config.terminal_password or None),
                ],
            ),
            "18",
            repeatable=True,
        )
        holds = (response.first("CF") or "").strip()
        return _Item(
            title=(response.first("AJ") or "").strip() or None,
            due=parse_sip_date(response.first("AH") or "", self._tz),
            holds=int(holds) if holds.isdigit() else 0,
        )

    def _now(self) -> str:
        return format_sip_date(self._clock(), self._tz)

    def _expired(self, expiry: str | None) -> bool:
        """From PA, the expiration date some servers add to 64 (a 3M extension)."""
        moment = parse_sip_date(expiry or "", self._tz)
        if moment is None:
            return False
        today = self._clock().astimezone(self._tz).date()
        return mapping.is_expired(moment.astimezone(self._tz).date(), today)

    # --- the connection -------------------------------------------------------------------

    async def _call(self, request: Message, expect: str, *, repeatable: bool) -> Message:
        """One exchange, reconnecting on a broken connection; IlsUnavailable when it stays so."""

        async def exchange(connection: Connection) -> Message:
            return await connection.exchange(request, expect)

        return await self._attempt(request.command, exchange, repeatable=repeatable)

    async def _ready(self) -> None:
        """Connected and logged in (and what the server supports known), or IlsUnavailable."""

        async def nothing(connection: Connection) -> None:
            return None

        await self._attempt("connect", nothing, repeatable=True)

    async def _attempt(
        self, what: str, action: Callable[[Connection], Awaitable[_T]], *, repeatable: bool
    ) -> _T:
        attempts = self._config.retries + 1
        last = "no attempt made"
        for attempt in range(attempts):
            if attempt:
                await self._sleep(min(2.0 ** (attempt - 1), _BACKOFF_CAP))
            async with self._lock:
                try:
                    return await action(await self._connected())
                except ExchangeBroken as error:
                    await self._drop()
                    last = str(error)
                    log.warning(
                        "SIP2 %s to %s:%s failed (attempt %d of %d): %s",
                        what,
                        self._config.host,
                        self._config.port,
                        attempt + 1,
                        attempts,
                        error,
                    )
                    if error.sent and not repeatable:
                        raise IlsUnavailable(
                            f"SIP2 {what} was sent but got no answer ({error}); "
                            "not repeated, because a renewal may already have happened"
                        ) from None
        raise IlsUnavailable(
            f"SIP2 server {self._config.host}:{self._config.port} failed "
            f"{attempts} time(s); last: {last}"
        )

    async def _connected(self) -> Connection:
        if self._connection is not None and self._connection.usable:
            return self._connection
        await self._drop()
        connection = await Connection.open(self._endpoint)
        try:
            await self._log_in(connection)
        except ExchangeBroken as error:
            await connection.close()
            # The request itself has not gone out yet, whatever happened to the login.
            raise ExchangeBroken(f"login: {error}", sent=False) from None
        except IlsUnavailable:
            await connection.close()
            raise
        self._connection = connection
        return connection

    async def _log_in(self, connection: Connection) -> None:
        config = self._config
        if config.login_user:
            response = await connection.exchange(
                message(
                    "93",
                    "00",
                    [
                        ("CN", config.login_user),
                        ("CO", config.login_password),
                        ("CP", config.location_code or None),
                    ],
                ),
                "94",
            )
            if response.fixed != "1":
                raise LoginRefused(
                    "the SIP2 server refused the login: check SIP2_LOGIN_USER, "
                    "SIP2_LOGIN_PASSWORD and SIP2_LOCATION_CODE"
                )
        if config.sc_status:
            response = await connection.exchange(message("99", "0" + "080" + "2.00", []), "98")
            if response.fixed[:1] != "Y":
                raise ExchangeBroken("the server says it is offline", sent=False)
            supported = response.first("BX") or ""
            if len(supported) > _BX_RENEW_ALL:
                self._renew_all_supported = supported[_BX_RENEW_ALL] == "Y"

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()
