"""What a SIP2 answer means for a reader: patron status flags and refusal reasons.

SIP2 has no code for why a renewal failed: the reason is in the screen message (AF), in the
server's own words. Koha puts its CanBookBeRenewed code there (rewording two of them),
Evergreen its event text code; Russian systems write Russian. The table below recognises those,
and anything else stays OTHER with the server's words kept for the reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import IntEnum

from handlers.loans.ils import Refusal


class PatronFlag(IntEnum):
    """Positions in the 14-character patron status of a 64 response ('Y' means set)."""

    CHARGE_DENIED = 0
    RENEWAL_DENIED = 1
    RECALL_DENIED = 2
    HOLD_DENIED = 3
    CARD_LOST = 4
    TOO_MANY_CHARGED = 5
    TOO_MANY_OVERDUE = 6
    TOO_MANY_RENEWALS = 7
    TOO_MANY_CLAIMS = 8
    TOO_MANY_LOST = 9
    EXCESSIVE_FINES = 10
    EXCESSIVE_FEES = 11
    RECALL_OVERDUE = 12
    TOO_MANY_BILLED = 13


_BLOCKING = (
    PatronFlag.RENEWAL_DENIED,
    PatronFlag.CARD_LOST,
    PatronFlag.EXCESSIVE_FINES,
    PatronFlag.EXCESSIVE_FEES,
)
"""Flags after which renewals are refused. Charge privileges alone do not stop a renewal in
Koha or Evergreen (a reader over the checkout limit may still renew)."""

_REASONS: tuple[tuple[Refusal, tuple[str, ...]], ...] = (
    (
        Refusal.RESERVED,
        (
            "on_reserve",
            "outstanding holds",
            "copy_needed_for_hold",
            "hold",
            "reserved",
            "recalled",
            "брон",
            "резерв",
            "заказан",
            "очеред",
        ),
    ),
    (
        Refusal.LIMIT_REACHED,
        (
            "too_many",
            "maximum renewals",
            "max_renewals",
            "renewal limit",
            "too_unseen",
            "лимит",
            "максимальн",
            "исчерпан",
        ),
    ),
    (
        Refusal.TOO_SOON,
        ("too_soon", "too soon", "too early", "cannot renew before", "рано"),
    ),
    (
        Refusal.CARD_EXPIRED,
        ("expired", "account_expired", "срок действия", "истек", "истёк", "просрочен билет"),
    ),
    (Refusal.OVERDUE, ("overdue", "просроч")),
    (
        Refusal.BLOCKED,
        (
            "restriction",
            "debarred",
            "barred",
            "blocked",
            "fines",
            "fees",
            "exceeds",
            "заблокир",
            "задолжен",
            "штраф",
            "блокир",
        ),
    ),
    (
        Refusal.NOT_RENEWABLE,
        (
            "item_denied_renewal",
            "not allowed",
            "not renewable",
            "onsite",
            "no_renewal",
            "нельзя продл",
            "не продлева",
            "не подлежит",
        ),
    ),
)


def refusal_from_text(messages: Sequence[str]) -> Refusal | None:
    """The reason a screen message names, or None when it names none we know."""
    text = " ".join(messages).casefold()
    if not text.strip():
        return None
    for refusal, markers in _REASONS:
        if any(marker in text for marker in markers):
            return refusal
    return None


def flags(patron_status: str) -> frozenset[PatronFlag]:
    return frozenset(flag for flag in PatronFlag if patron_status[flag : flag + 1] == "Y")


def is_blocked(patron_flags: frozenset[PatronFlag]) -> bool:
    return any(flag in patron_flags for flag in _BLOCKING)


def is_expired(expiry: date | None, today: date) -> bool:
    return expiry is not None and expiry < today


def refusal_from_patron(patron_flags: frozenset[PatronFlag], expired: bool) -> Refusal | None:
    """Why every renewal on this card would be refused, from the patron's own state."""
    if expired:
        return Refusal.CARD_EXPIRED
    if is_blocked(patron_flags):
        return Refusal.BLOCKED
    if PatronFlag.TOO_MANY_RENEWALS in patron_flags:
        return Refusal.LIMIT_REACHED
    return None


def joined(messages: Sequence[str]) -> str | None:
    text = " ".join(part.strip() for part in messages if part.strip())
    return text or None
