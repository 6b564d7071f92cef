"""The renewal request's card: what staff see of a request, with the buttons that decide it."""

from __future__ import annotations

from handlers.core.i18n import Translator, platform_name
from handlers.core.payloads import pack
from handlers.core.replies import Button, Reply
from handlers.loans.ils import Refusal
from handlers.loans.wording import day_text, moment_text, reason_text, short_title
from storage.models import Reader, RenewalRequest, RenewalStatus

STAFF_ACTION = "rn"
CARD_LIMIT = 4000
TOPIC_TITLE_LIMIT = 128
ITEMS_LIMIT = 1500
REFUSALS = tuple(reason for reason in Refusal if reason is not Refusal.OTHER)
"""The reasons offered as buttons; anything else staff type in their own words."""


def topic_title(t: Translator, request: RenewalRequest, reader: Reader | None) -> str:
    title = t("renewal-topic", number=request.id, name=_name(t, reader))
    return title if len(title) <= TOPIC_TITLE_LIMIT else title[: TOPIC_TITLE_LIMIT - 1] + "…"


def render_card(
    request: RenewalRequest,
    reader: Reader | None,
    t: Translator,
    timezone: str,
    *,
    refusing: bool = False,
) -> Reply:
    """The card's text, and the buttons that fit the request's state: the decisions while it
    is open (or the reasons, while staff are refusing it), none once it is decided."""
    platform = platform_name(t, reader.address.platform) if reader else "—"
    lines = [
        t("renewal-card-title", number=request.id),
        t(f"renewal-cause-{request.cause}"),
        t("renewal-card-reader", name=_name(t, reader), platform=platform),
        t("renewal-card-number", card=request.card_number),
    ]
    if request.items:
        items = (
            request.items
            if len(request.items) <= ITEMS_LIMIT
            else request.items[:ITEMS_LIMIT] + "…"
        )
        lines.append(t("renewal-card-items", items=items))
    for loan in request.loans:
        if loan.due is not None:
            due = day_text(t, loan.due, timezone)
            lines.append(t("renewal-card-loan-due", title=short_title(loan.title), due=due))
        else:
            lines.append(t("renewal-card-loan", title=short_title(loan.title)))
    lines.append("")
    lines.append(_outcome(request, t, timezone))
    text = "\n".join(lines)
    if len(text) > CARD_LIMIT:
        text = text[: CARD_LIMIT - 1] + "…"
    return Reply(text=text, buttons=card_buttons(request, t, refusing=refusing))


def card_buttons(
    request: RenewalRequest, t: Translator, *, refusing: bool = False
) -> tuple[tuple[Button, ...], ...]:
    if request.status is not RenewalStatus.OPEN:
        return ()
    number = str(request.id)
    if request.awaiting is not None:
        return ((Button(t("renewal-button-back"), pack(STAFF_ACTION, "back", number)),),)
    if refusing:
        reasons = [
            Button(t(f"renewal-why-{reason}"), pack(STAFF_ACTION, "why", number, str(reason)))
            for reason in REFUSALS
        ]
        # Two a row: with "Another reason" and "Back" that is 5 rows and 9 buttons, within
        # VK's inline keyboard (6 rows, 10 buttons).
        rows = [tuple(reasons[start : start + 2]) for start in range(0, len(reasons), 2)]
        rows.append(
            (
                Button(t("renewal-button-other"), pack(STAFF_ACTION, "other", number)),
                Button(t("renewal-button-back"), pack(STAFF_ACTION, "back", number)),
            )
        )
        return tuple(rows)
    return (
        (
            Button(t("renewal-button-days", days=14), pack(STAFF_ACTION, "d14", number)),
            Button(t("renewal-button-days", days=30), pack(STAFF_ACTION, "d30", number)),
        ),
        (Button(t("renewal-button-date"), pack(STAFF_ACTION, "date", number)),),
        (Button(t("renewal-button-refuse"), pack(STAFF_ACTION, "refuse", number)),),
    )


def refusal_words(t: Translator, request: RenewalRequest) -> str:
    """The refusal as the reader reads it: staff's own words, or the reason in plain words."""
    return request.refusal_text or reason_text(t, request.refusal)


def staff_refusal(t: Translator, request: RenewalRequest) -> str:
    """The refusal as the card shows it: staff's own words, or the reason's short label."""
    if request.refusal_text:
        return request.refusal_text
    known = {str(reason) for reason in Refusal}
    code = request.refusal if request.refusal in known else Refusal.OTHER
    return t(f"renewal-why-{code}")


def _outcome(request: RenewalRequest, t: Translator, timezone: str) -> str:
    who = request.decided_by.name if request.decided_by else "—"
    when = moment_text(request.decided_at, timezone) if request.decided_at else ""
    if request.status is RenewalStatus.RENEWED and request.renewed_until is not None:
        until = day_text(t, request.renewed_until, timezone)
        return t("renewal-card-renewed", until=until, name=who, at=when)
    if request.status is RenewalStatus.REFUSED:
        return t("renewal-card-refused", reason=staff_refusal(t, request), name=who, at=when)
    if request.awaiting == "date":
        return t("renewal-card-awaiting-date")
    if request.awaiting == "reason":
        return t("renewal-card-awaiting-reason")
    return t("renewal-card-open")


def _name(t: Translator, reader: Reader | None) -> str:
    return (reader.display_name if reader else None) or t("renewal-reader-anonymous")
