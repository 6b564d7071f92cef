"""ILS_BACKEND picks where loans are renewed: manual (no client), demo, and the others."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.ils import build_ils
from bot.ils.demo import DemoIls
from bot.ils.koha.client import KohaIls
from bot.ils.sip2.client import Sip2Ils
from bot.settings import IlsBackend, Settings, SettingsError, load_settings
from handlers.loans.ils import Ils
from tests.support.environment import isolate_settings


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_settings(monkeypatch, tmp_path, ("ILS_", "LOAN_"))


def test_the_manual_backend_is_the_default_and_has_no_client() -> None:
    settings = load_settings(require_platform=False)

    assert settings.ils_backend is IlsBackend.MANUAL
    assert settings.loan_reminder_days == 3
    assert build_ils(settings) is None


def test_the_demo_backend_is_built_on_the_given_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ILS_BACKEND", "demo")
    moment = datetime(2031, 5, 6, 10, 0, tzinfo=UTC)

    ils = build_ils(load_settings(require_platform=False), lambda: moment)

    assert isinstance(ils, DemoIls)
    port: Ils = ils
    assert port.needs_pin is True


async def test_demo_loans_follow_the_clock() -> None:
    moment = datetime(2031, 5, 6, 10, 0, tzinfo=UTC)
    loans = await DemoIls(lambda: moment).loans("1000001")

    assert sorted(loan.due.date().isoformat() for loan in loans)[0] == "2031-05-03"


@pytest.mark.parametrize("value", ["irbis", ""])
def test_an_unknown_backend_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ILS_BACKEND", value)

    with pytest.raises(SettingsError, match="ILS_BACKEND"):
        load_settings(require_platform=False)


def test_reminder_days_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOAN_REMINDER_DAYS", "0")

    with pytest.raises(SettingsError, match="LOAN_REMINDER_DAYS"):
        load_settings(require_platform=False)


@pytest.mark.parametrize(
    ("backend", "variable"), [(IlsBackend.KOHA, "KOHA_BASE_URL"), (IlsBackend.SIP2, "SIP2_HOST")]
)
def test_a_backend_without_its_address_stops_the_start_with_a_clear_error(
    backend: IlsBackend, variable: str
) -> None:
    settings = Settings(_env_file=None, ils_backend=backend)

    with pytest.raises(SettingsError, match=variable):
        build_ils(settings)


def test_the_koha_backend_is_the_koha_client() -> None:
    settings = Settings(
        _env_file=None,
        ils_backend=IlsBackend.KOHA,
        koha_base_url="http://127.0.0.1:8081",
        koha_auth="basic",
        koha_basic_user=SecretStr("bot"),
        koha_basic_password=SecretStr("secret"),
    )

    assert isinstance(build_ils(settings), KohaIls)


def test_the_sip2_backend_is_the_sip2_client() -> None:
    settings = Settings(_env_file=None, ils_backend=IlsBackend.SIP2, sip2_host="127.0.0.1")

    ils = build_ils(settings)

    assert isinstance(ils, Sip2Ils)
    assert ils.needs_pin is True
