"""The SIP2_* settings, and the client configuration built from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ils.sip2 import Sip2Config, Sip2Ils
from bot.settings import Settings, SettingsError, load_settings
from tests.ils.sip2_support import clock
from tests.support.environment import isolate_settings


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_settings(monkeypatch, tmp_path, ("SIP2_", "LIBRARY_TIMEZONE"))


def test_defaults_suit_a_russian_server() -> None:
    config = Sip2Config.from_settings(Settings())

    assert config.charset == "cp1251"
    assert config.port == 6001
    assert config.needs_pin and not config.error_detection and not config.tls
    assert config.timezone == "Europe/Moscow"


def test_settings_reach_the_client_and_secrets_stay_out_of_its_repr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SIP2_HOST", "sip.library.example")
    monkeypatch.setenv("SIP2_LOGIN_USER", "bot")
    monkeypatch.setenv("SIP2_LOGIN_PASSWORD", "s3cret-login")
    monkeypatch.setenv("SIP2_TERMINAL_PASSWORD", "s3cret-terminal")
    monkeypatch.setenv("SIP2_CHARSET", "UTF-8")
    monkeypatch.setenv("SIP2_CHECKSUMS", "true")
    monkeypatch.setenv("SIP2_NEEDS_PIN", "false")
    monkeypatch.setenv("LIBRARY_TIMEZONE", "Asia/Novosibirsk")

    settings = Settings()
    config = Sip2Config.from_settings(settings)
    client = Sip2Ils(config, clock=clock)

    assert (config.host, config.login_user, config.login_password) == (
        "sip.library.example",
        "bot",
        "s3cret-login",
    )
    assert config.charset == "utf-8" and config.error_detection
    assert config.timezone == "Asia/Novosibirsk"
    assert client.needs_pin is False
    assert "s3cret" not in repr(config)
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize("charset", ["klingon", "utf-16"])
def test_a_charset_sip2_cannot_use_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, charset: str
) -> None:
    monkeypatch.setenv("SIP2_CHARSET", charset)

    with pytest.raises(SettingsError, match="SIP2_CHARSET"):
        load_settings(require_platform=False)
