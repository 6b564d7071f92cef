"""Refusal reasons and patron flags read from SIP2 answers."""

from __future__ import annotations

import pytest

from bot.ils.sip2.mapping import PatronFlag, flags, refusal_from_patron, refusal_from_text
from handlers.loans.ils import Refusal


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Item unavailable due to outstanding holds", Refusal.RESERVED),  # Koha
        ("Item has reached maximum renewals", Refusal.LIMIT_REACHED),  # Koha
        ("too_soon", Refusal.TOO_SOON),  # Koha's code, passed through
        ("auto_too_soon", Refusal.TOO_SOON),
        ("overdue", Refusal.OVERDUE),
        ("restriction", Refusal.BLOCKED),
        ("auto_account_expired", Refusal.CARD_EXPIRED),
        ("item_denied_renewal", Refusal.NOT_RENEWABLE),
        ("COPY_NEEDED_FOR_HOLD", Refusal.RESERVED),  # Evergreen
        ("MAX_RENEWALS_REACHED", Refusal.LIMIT_REACHED),
        ("PATRON_EXCEEDS_FINES", Refusal.BLOCKED),
        ("На книгу оформлена бронь", Refusal.RESERVED),
        ("Превышен лимит продлений", Refusal.LIMIT_REACHED),
        ("Срок действия читательского билета истёк", Refusal.CARD_EXPIRED),
        ("Книга просрочена", Refusal.OVERDUE),
        ("Читатель заблокирован", Refusal.BLOCKED),
    ],
)
def test_screen_messages_name_the_reason(message: str, expected: Refusal) -> None:
    assert refusal_from_text([message]) is expected


@pytest.mark.parametrize("message", ["", "  ", "Обратитесь к библиотекарю", "Error 42"])
def test_a_message_naming_no_reason_gives_none(message: str) -> None:
    assert refusal_from_text([message]) is None


def test_patron_flags_are_read_by_position() -> None:
    status = " Y        Y   "

    assert flags(status) == {PatronFlag.RENEWAL_DENIED, PatronFlag.EXCESSIVE_FINES}
    assert flags("") == frozenset()


def test_a_patron_refusal_prefers_expiry_then_a_block() -> None:
    blocked = frozenset({PatronFlag.RENEWAL_DENIED})

    assert refusal_from_patron(blocked, expired=True) is Refusal.CARD_EXPIRED
    assert refusal_from_patron(blocked, expired=False) is Refusal.BLOCKED
    assert refusal_from_patron(frozenset({PatronFlag.CHARGE_DENIED}), expired=False) is None
    assert (
        refusal_from_patron(frozenset({PatronFlag.TOO_MANY_RENEWALS}), expired=False)
        is Refusal.LIMIT_REACHED
    )
