"""``python -m bot import-arrivals FILE...`` prints each import's summary and fails only
when nothing at all could be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from tests.arrivals.marc_samples import iso2709, marc21, rusmarc
from tests.support.processes import run_bot_to_end

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_imports_files_and_prints_the_summaries(tmp_path: Path) -> None:
    irbis = tmp_path / "irbis.iso"
    irbis.write_bytes(
        iso2709(rusmarc("Кардиология", number="RU1"), rusmarc("", number="RU2"), encoding="cp1251")
    )
    csv = tmp_path / "list.csv"
    csv.write_bytes("\ufeffНазвание;Год\nОнкология;2025\n".encode())
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }
    result = run_bot_to_end(
        "import-arrivals", str(irbis), str(csv), cwd=tmp_path, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Импорт «irbis.iso»: добавлено 1, обновлено 0, дубликатов 0, отклонено 1.",
        "Запись 2: нет заглавия",
        "Импорт «list.csv»: добавлено 1, обновлено 0, дубликатов 0, отклонено 0.",
    ]


def test_nothing_readable_is_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.7")
    assert main(["import-arrivals", str(scan), str(tmp_path / "missing.mrc")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("“scan.pdf” could not be read: unknown format")
    assert out[1].startswith(f"“{tmp_path / 'missing.mrc'}” could not be opened")

    good = tmp_path / "good.mrc"
    good.write_bytes(iso2709(marc21("Surgery", number="M1")))
    assert main(["import-arrivals", str(scan), str(good)]) == 0


def test_import_arrivals_needs_files(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["import-arrivals"])
    assert exit_info.value.code == 2
    assert "needs at least one file" in capsys.readouterr().err
