"""KOHA_* settings: checked at start, and turned into a working client."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.ils.koha import koha_from_settings
from bot.settings import KohaAuth, Settings, SettingsError, load_settings
from handlers.loans.ils import PatronStatus
from tests.fakes.koha_server import FakeKoha
from tests.ils.koha_support import (
    BASIC_PASSWORD,
    BASIC_USER,
    CLIENT_ID,
    CLIENT_SECRET,
    PIN,
    START,
    RecordedSleep,
)
from tests.support.clock import SettableClock
from tests.support.environment import isolate_settings


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_settings(monkeypatch, tmp_path, "KOHA_")


def test_koha_is_off_until_its_address_is_set() -> None:
    settings = Settings()
    assert settings.koha_configured is False
    with pytest.raises(SettingsError, match="KOHA_BASE_URL"):
        koha_from_settings(settings, clock=SettableClock(START))
    assert settings.koha_needs_pin is True
    assert settings.koha_auth is KohaAuth.OAUTH2


@pytest.mark.parametrize(
    "url",
    ["http://koha.example.org", "ftp://koha.example.org", "koha.example.org", "https://k/?a=1"],
)
def test_an_address_that_is_not_https_or_local_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="koha_base_url"):
        Settings(koha_base_url=url, koha_client_id="id", koha_client_secret="secret")


@pytest.mark.parametrize(
    "url",
    ["https://koha.example.org/", "http://127.0.0.1:8081", "http://localhost", "http://[::1]"],
)
def test_https_and_loopback_addresses_are_accepted(url: str) -> None:
    settings = Settings(koha_base_url=url, koha_client_id="id", koha_client_secret="secret")
    assert settings.koha_configured
    assert not settings.koha_base_url.endswith("/")


def test_credentials_in_the_address_are_refused_without_being_repeated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOHA_BASE_URL", "https://bot:hunter2-pw@koha.example.org")
    with pytest.raises(SettingsError) as raised:
        load_settings(require_platform=False)
    assert "hunter2-pw" not in str(raised.value)
    assert "KOHA_BASE_URL" in str(raised.value)
    assert "user name or password" in str(raised.value)


def test_each_auth_mode_needs_its_credentials() -> None:
    with pytest.raises(ValidationError, match="KOHA_CLIENT_SECRET"):
        Settings(koha_base_url="https://koha.example.org", koha_client_id="id")
    with pytest.raises(ValidationError, match="KOHA_BASIC_PASSWORD"):
        Settings(koha_base_url="https://koha.example.org", koha_auth="basic", koha_basic_user="u")
    basic = Settings(
        koha_base_url="https://koha.example.org",
        koha_auth="basic",
        koha_basic_user="bot",
        koha_basic_password="pw-123-secret",
    )
    assert "pw-123-secret" not in repr(basic)


async def test_the_settings_build_a_client_that_works(monkeypatch: pytest.MonkeyPatch) -> None:
    clock, sleep = SettableClock(START), RecordedSleep()
    async with FakeKoha(
        now=clock,
        oauth_clients={CLIENT_ID: CLIENT_SECRET},
        basic_users={BASIC_USER: BASIC_PASSWORD},
    ) as koha:
        reader = koha.add_patron("0012345", PIN)
        koha.lend(reader, "Book", due=clock() + timedelta(days=3))
        for auth in ("oauth2", "basic"):
            monkeypatch.setenv("KOHA_BASE_URL", koha.base_url)
            monkeypatch.setenv("KOHA_AUTH", auth)
            monkeypatch.setenv("KOHA_CLIENT_ID", CLIENT_ID)
            monkeypatch.setenv("KOHA_CLIENT_SECRET", CLIENT_SECRET)
            monkeypatch.setenv("KOHA_BASIC_USER", BASIC_USER)
            monkeypatch.setenv("KOHA_BASIC_PASSWORD", BASIC_PASSWORD)
            monkeypatch.setenv("KOHA_NEEDS_PIN", "false")
            ils = koha_from_settings(Settings(), clock=clock, sleep=sleep)
            try:
                assert ils.needs_pin is False
                assert (await ils.verify("0012345", None)).status is PatronStatus.OK
                assert [loan.title for loan in await ils.loans("0012345")] == ["Book"]
            finally:
                await ils.close()
    schemes = {r.headers["authorization"].split()[0] for r in koha.api_requests()}
    assert schemes == {"Bearer", "Basic"}
