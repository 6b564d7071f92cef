"""The Dockerfile, compose.yaml and the systemd unit, checked without pulling images: their
structure here, ``docker build`` in .ci/run when a Docker daemon is there, and
``systemd-analyze verify`` when it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def dockerfile() -> list[str]:
    """Instructions, with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text("utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    return [
        line.strip() for line in joined.splitlines() if line.strip() and not line.startswith("#")
    ]


def test_the_image_is_slim_matches_requires_python_and_runs_as_a_user() -> None:
    instructions = dockerfile()
    bases = [line.split()[1] for line in instructions if line.startswith("FROM ")]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    minimum = re.fullmatch(r">=(\d+)\.(\d+)", project["requires-python"])
    assert minimum is not None
    for base in bases:
        match = re.fullmatch(r"python:(\d+)\.(\d+)-slim", base)
        assert match, f"{base} is not a slim Python image"
        assert (int(match[1]), int(match[2])) >= (int(minimum[1]), int(minimum[2]))
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    final_stage = instructions[
        max(i for i, line in enumerate(instructions) if line.startswith("FROM ")) :
    ]
    assert any(line.startswith("USER ") for line in final_stage)


def test_the_image_migrates_at_start_and_checks_its_health() -> None:
    instructions = dockerfile()
    command = [line for line in instructions if line.startswith("CMD ")][-1]
    assert "python -m bot migrate && exec python -m bot" in command
    healthcheck = [line for line in instructions if line.startswith("HEALTHCHECK ")]
    assert len(healthcheck) == 1 and "/healthz" in healthcheck[0]
    assert any(line.startswith("EXPOSE 8080") for line in instructions)


def test_dockerignore_keeps_secrets_and_tests_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text("utf-8").split()
    for entry in (".env", ".git", ".venv", "tests", "data"):
        assert entry in ignored


def test_compose_runs_the_bot_after_a_healthy_database() -> None:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    services = compose["services"]
    database, bot = services["db"], services["bot"]
    assert database["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(database["healthcheck"]["test"])
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert bot["build"] == "."
    assert "pgdata" in compose["volumes"]


def test_the_systemd_unit_is_hardened_and_restarts() -> None:
    unit = (ROOT / "deploy" / "bot.service").read_text("utf-8")
    for setting in (
        "User=library-bot",
        "EnvironmentFile=/etc/library-bot/bot.env",
        "Restart=on-failure",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "CapabilityBoundingSet=",
    ):
        assert re.search(rf"^{re.escape(setting)}$", unit, re.MULTILINE), setting


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    unit = (ROOT / "deploy" / "bot.service").read_text("utf-8")
    # The unit names the venv's Python under /opt; verify against this machine's instead.
    copy = tmp_path / "library-bot.service"
    copy.write_text(unit.replace("/opt/library-bot/.venv/bin/python", sys.executable), "utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
