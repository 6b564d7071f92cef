"""LOAN_REMINDER_TIME: when the daily due-date reminders go, read like every other setting."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.app import service_config
from bot.settings import SettingsError, load_settings
from tests.support.environment import isolate_settings


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_settings(monkeypatch, tmp_path, ("ILS_", "LOAN_"))


def test_reminders_go_at_ten_by_default_and_at_the_time_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings(require_platform=False).loan_reminder_time == time(10, 0)
    monkeypatch.setenv("LOAN_REMINDER_TIME", "08:30")

    settings = load_settings(require_platform=False)

    assert service_config(settings).loans.reminder_time == time(8, 30)


def test_a_time_that_is_no_time_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOAN_REMINDER_TIME", "25:00")

    with pytest.raises(SettingsError, match="LOAN_REMINDER_TIME"):
        load_settings(require_platform=False)
