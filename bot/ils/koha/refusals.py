"""Koha's reasons for refusing a renewal, in the plain-language reasons a reader is told.

The codes are what ``C4::Circulation::CanBookBeRenewed`` returns: Koha puts them in the
``error`` field of ``GET /checkouts/{id}/allows_renewal`` (``definitions/allows_renewal.yaml``)
and in the 403 answer of ``POST /checkouts/{id}/renewal`` as
``{"error": "Renewal not authorized (<code>)"}`` (``Koha::REST::V1::Checkouts::renew``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from handlers.loans.ils import Refusal

REFUSALS: Mapping[str, Refusal] = {
    "on_reserve": Refusal.RESERVED,
    "recalled": Refusal.RESERVED,
    "booked": Refusal.RESERVED,
    "too_many": Refusal.LIMIT_REACHED,
    # Renewed too many times without the item being brought in ("seen") at the desk.
    "too_unseen": Refusal.LIMIT_REACHED,
    "overdue": Refusal.OVERDUE,
    "restriction": Refusal.BLOCKED,
    "debarred": Refusal.BLOCKED,
    "too_much_owing": Refusal.BLOCKED,
    "auto_too_much_owing": Refusal.BLOCKED,
    "auto_too_much_oweing": Refusal.BLOCKED,  # the spelling of Koha before 23.05
    "card_expired": Refusal.CARD_EXPIRED,
    "auto_account_expired": Refusal.CARD_EXPIRED,
    "item_denied_renewal": Refusal.NOT_RENEWABLE,
    "onsite_checkout": Refusal.NOT_RENEWABLE,
    "online_renewal_disabled": Refusal.NOT_RENEWABLE,
    "auto_too_late": Refusal.NOT_RENEWABLE,
    "too_soon": Refusal.TOO_SOON,
    # An automatically renewed loan: Koha renews it itself once renewal opens.
    "auto_too_soon": Refusal.TOO_SOON,
    "auto_renew": Refusal.TOO_SOON,
}

_CODE_IN_TEXT = re.compile(r"\(([a-z_]+)\)\s*$")


def refusal_for(code: str | None) -> Refusal:
    """The reader's reason for a Koha code; a code Koha adds later is ``OTHER``."""
    return REFUSALS.get((code or "").strip().lower(), Refusal.OTHER)


def code_in_error(body: object) -> str | None:
    """The CanBookBeRenewed code in a renewal's 403 body, or None if it names none.

    ``error_code`` wins when a Koha version sends one; otherwise the code is the word in
    parentheses at the end of ``error``.
    """
    if not isinstance(body, Mapping):
        return None
    code = body.get("error_code")
    if isinstance(code, str) and code.lower() in REFUSALS:
        return code.lower()
    text = body.get("error")
    if isinstance(text, str):
        found = _CODE_IN_TEXT.search(text)
        if found:
            return found.group(1)
    return None
