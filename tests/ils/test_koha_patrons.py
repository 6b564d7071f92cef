"""Koha backend: linking a card checks the card number and the reader's Koha password."""

from __future__ import annotations

import json
from datetime import timedelta

from handlers.loans.ils import Ils, PatronStatus
from tests.ils.koha_support import PIN, koha_rig


async def test_the_right_password_links_the_card_and_names_the_reader() -> None:
    async with koha_rig() as rig:
        rig.koha.add_patron("0012345", PIN, firstname="Анна", surname="Иванова")
        port: Ils = rig.ils  # mypy checks that the client implements the loans port
        check = await port.verify("0012345", PIN)
    assert check.status is PatronStatus.OK
    assert check.name == "Анна Иванова"


async def test_a_wrong_password_is_wrong_pin() -> None:
    async with koha_rig() as rig:
        rig.koha.add_patron("0012345", PIN)
        check = await rig.ils.verify("0012345", "not-the-pin")
    assert check.status is PatronStatus.WRONG_PIN
    assert check.name is None


async def test_an_unknown_card_is_told_apart_and_no_password_is_sent() -> None:
    async with koha_rig() as rig:
        rig.koha.add_patron("0012345", PIN)
        check = await rig.ils.verify("99999", PIN)
        paths = [r.path for r in rig.koha.api_requests()]
    assert check.status is PatronStatus.UNKNOWN_CARD
    assert "/api/v1/auth/password/validation" not in paths


async def test_a_card_number_is_matched_exactly_not_as_a_part() -> None:
    async with koha_rig() as rig:
        rig.koha.add_patron("0012345", PIN)
        check = await rig.ils.verify("12", PIN)
        query = rig.koha.api_requests()[0].query
    assert check.status is PatronStatus.UNKNOWN_CARD
    assert query["_match"] == ["exact"]


async def test_a_password_matching_another_patrons_userid_does_not_link_this_card() -> None:
    async with koha_rig() as rig:
        rig.koha.add_patron("0012345", "the-card-owners-password")
        # Koha's checkpw tries the identifier as a userid first.
        rig.koha.add_patron("7777777", PIN, userid="0012345")
        check = await rig.ils.verify("0012345", PIN)
    assert check.status is PatronStatus.WRONG_PIN


async def test_the_password_goes_in_the_body_the_spec_defines() -> None:
    async with koha_rig() as rig:
        rig.koha.add_patron("0012345", PIN)
        await rig.ils.verify("0012345", PIN)
        validation = next(
            r for r in rig.koha.received if r.path == "/api/v1/auth/password/validation"
        )
    assert validation.method == "POST"
    assert json.loads(validation.body) == {"identifier": "0012345", "password": PIN}


async def test_an_expired_card_and_a_restricted_account_are_reported() -> None:
    async with koha_rig() as rig:
        yesterday = (rig.clock() - timedelta(days=1)).date()
        rig.koha.add_patron("1", PIN, expiry_date=yesterday)
        rig.koha.add_patron("2", PIN, restricted=True)
        rig.koha.add_patron("3", PIN, expiry_date=rig.clock().date())
        expired = await rig.ils.verify("1", PIN)
        blocked = await rig.ils.verify("2", PIN)
        last_day = await rig.ils.verify("3", PIN)
    assert expired.status is PatronStatus.CARD_EXPIRED
    assert blocked.status is PatronStatus.BLOCKED
    assert last_day.status is PatronStatus.OK


async def test_without_pins_the_card_number_alone_links_and_no_password_is_checked() -> None:
    async with koha_rig(needs_pin=False) as rig:
        rig.koha.add_patron("0012345", PIN)
        check = await rig.ils.verify("0012345", None)
        paths = [r.path for r in rig.koha.received]
    assert rig.ils.needs_pin is False
    assert check.status is PatronStatus.OK
    assert "/api/v1/auth/password/validation" not in paths


async def test_odd_card_numbers_and_pins_get_an_answer_not_an_error() -> None:
    async with koha_rig() as rig:
        rig.koha.add_patron("0012345", PIN)
        empty = await rig.ils.verify("   ", PIN)
        huge = await rig.ils.verify("9" * 5000, PIN)
        no_pin = await rig.ils.verify("0012345", None)
        huge_pin = await rig.ils.verify("0012345", "x" * 100_000)
        injected = await rig.ils.verify('0012345"}&_match=contains', PIN)
    assert empty.status is PatronStatus.UNKNOWN_CARD
    assert huge.status is PatronStatus.UNKNOWN_CARD
    assert no_pin.status is PatronStatus.WRONG_PIN
    assert huge_pin.status is PatronStatus.WRONG_PIN
    assert injected.status is PatronStatus.UNKNOWN_CARD
