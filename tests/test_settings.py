"""Settings: platforms switch on by token, and a bad start says what to set in one line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings
from bot.vk.api import VkApi
from storage.models import Address, Platform
from tests.support.environment import isolate_settings
from tests.support.processes import run_bot_to_end

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "VK_"))}


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_settings(monkeypatch, tmp_path, ("TELEGRAM_", "VK_", "STAFF_", "DATABASE_URL"))


def run_bot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_bot_to_end(cwd=tmp_path, env=CLEAN_ENV | env)


def test_no_platform_stops_with_one_line(tmp_path: Path) -> None:
    result = run_bot(tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "VK_GROUP_TOKEN" in lines[0]
    assert "python -m bot playground" in lines[0]
    assert "Traceback" not in result.stderr


def test_the_example_env_file_as_shipped_asks_for_a_token(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / ".env.example"
    (tmp_path / ".env").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_bot(tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("Cannot start: No platform is configured")


def test_malformed_value_names_the_variable_without_a_traceback(tmp_path: Path) -> None:
    result = run_bot(tmp_path, TELEGRAM_BOT_TOKEN="123:abc", WEB_PORT="eighty")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "WEB_PORT" in result.stderr and "Traceback" not in result.stderr


def test_token_never_printed_on_errors(tmp_path: Path) -> None:
    result = run_bot(tmp_path, VK_GROUP_TOKEN="vk1.a.SECRET-TOKEN-VALUE")
    assert "VK_GROUP_ID" in result.stderr
    assert "SECRET-TOKEN-VALUE" not in result.stderr + result.stdout


def test_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=123:abc\nSTAFF_CHAT=vk:2000000001\n"
        "STAFF_USER_IDS=telegram:1, vk:2\nLIBRARY_NAME=ОНМБ\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.telegram_enabled and not settings.vk_enabled
    assert settings.staff_chat == Address(Platform.VK, 2000000001)
    assert settings.staff_user_ids == [Address(Platform.TELEGRAM, 1), Address(Platform.VK, 2)]
    assert settings.library_name == "ОНМБ"
    assert "123:abc" not in repr(settings)


def test_the_default_vk_endpoint_is_api_vk_ru(tmp_path: Path) -> None:
    """VK moved its API to api.vk.ru; the settings, the client and the example all say so."""
    expected = "https://api.vk.ru/method/"
    assert load_settings(require_platform=False).vk_api_base == expected
    client_base = VkApi("token").API_URL
    assert client_base == expected
    example = Path(__file__).resolve().parent.parent / ".env.example"
    (tmp_path / ".env").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_settings(require_platform=False).vk_api_base == expected


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"VK_GROUP_TOKEN": "t"}, "VK_GROUP_ID"),
        ({"TELEGRAM_BOT_TOKEN": "t", "TELEGRAM_MODE": "webhook"}, "TELEGRAM_WEBHOOK_URL"),
        ({"TELEGRAM_BOT_TOKEN": "t", "STAFF_CHAT": "telegram:abc"}, "STAFF_CHAT"),
        ({"TELEGRAM_BOT_TOKEN": "t", "LIBRARY_TIMEZONE": "Mars/Olympus"}, "LIBRARY_TIMEZONE"),
        ({"VK_GROUP_TOKEN": "t", "VK_GROUP_ID": "1", "VK_MODE": "callback"}, "VK_CONFIRMATION"),
        ({"TELEGRAM_BOT_TOKEN": "t", "ARRIVALS_FEED_CRON": "every day"}, "ARRIVALS_FEED_CRON"),
        ({"TELEGRAM_BOT_TOKEN": "t", "ARRIVALS_SUBJECTS_FILE": "/no/such.json"}, "SUBJECTS_FILE"),
        ({"TELEGRAM_BOT_TOKEN": "t", "ARRIVALS_FEED_INTERVAL_MINUTES": "1"}, "INTERVAL"),
    ],
)
def test_inconsistent_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], fragment: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=fragment):
        load_settings()


def test_migrate_command_needs_no_token(tmp_path: Path) -> None:
    result = run_bot_to_end("migrate", cwd=tmp_path, env=CLEAN_ENV)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "bot.sqlite3").exists()
