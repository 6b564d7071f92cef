"""Koha backend: the reader's password goes to Koha's password check and nowhere else."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from handlers.loans.ils import IlsUnavailable
from tests.ils.koha_support import PIN, koha_rig


async def test_the_pin_reaches_only_the_password_check_and_no_log_or_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    async with koha_rig(retries=1) as rig:
        reader = rig.koha.add_patron("0012345", PIN)
        rig.koha.lend(reader, "Book", due=rig.clock() + timedelta(days=3))
        await rig.ils.verify("0012345", PIN)
        await rig.ils.verify("0012345", PIN + "-typo")
        await rig.ils.verify("0012345", PIN.upper())
        await rig.ils.renew_all("0012345")
        rig.koha.add_patron("7", "x", userid=PIN)
        await rig.ils.verify(PIN, PIN)  # a reader who typed the PIN as the card number
        check = "/auth/password/validation"
        rig.koha.fail_next(2, status=500, path=check)
        rig.koha.garble_next(1, path=check)
        for _ in range(2):
            try:
                await rig.ils.verify("0012345", PIN)
            except IlsUnavailable as unavailable:
                errors.append(unavailable)
        requests = list(rig.koha.received)
    assert len(errors) == 2
    for error in errors:
        assert PIN not in str(error) and PIN not in repr(error)
        assert PIN.lower() not in str(error).lower()
    assert PIN not in caplog.text
    assert PIN.upper() not in caplog.text
    assert repr(rig.ils).count(PIN) == 0
    carrying = {r.path for r in requests if PIN in r.body}
    assert carrying == {"/api/v1/auth/password/validation"}
    assert not any(
        PIN in str(r.query) or PIN in r.path for r in requests if r.path != "/api/v1/patrons"
    )


async def test_a_timed_out_password_check_does_not_leak_the_pin(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with koha_rig(request_timeout=0.2, retries=1) as rig:
        rig.koha.add_patron("0012345", PIN)
        await rig.ils.loans("0012345")
        rig.koha.hang_next(2, path="/auth/password/validation")
        with pytest.raises(IlsUnavailable) as raised:
            await rig.ils.verify("0012345", PIN)
    assert PIN not in str(raised.value)
    assert PIN not in caplog.text
