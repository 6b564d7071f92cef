"""Settings tests read only what the test sets: no developer's .env, no inherited variables."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def isolate_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, prefixes: str | tuple[str, ...]
) -> None:
    """Work in the empty ``tmp_path`` (so no .env is found) and unset every variable whose
    name starts with one of ``prefixes``."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(prefixes):
            monkeypatch.delenv(name)
