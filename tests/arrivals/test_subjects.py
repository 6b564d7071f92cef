"""Raw subject headings onto the library's own subjects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.arrivals.subject_settings import load_subjects
from handlers.arrivals.subjects import Subject, SubjectMap


@pytest.mark.parametrize(
    ("heading", "codes"),
    [
        ("Кардиология -- Руководства", ("cardiology",)),
        ("Болезни сердца", ("cardiology",)),
        ("Детская хирургия", ("paediatrics", "surgery")),
        ("Общественное здоровье и здравоохранение", ("public_health",)),
        ("Медицинские сестры", ("nursing",)),
        ("COVID-19 -- вирусные инфекции", ("infectious",)),
        ("Heart Diseases -- therapy", ("cardiology",)),
        ("oncology", ("oncology",)),
        ("Новообразования", ("oncology",)),
        ("История библиотек", ()),
    ],
)
def test_default_medical_subjects(heading: str, codes: tuple[str, ...]) -> None:
    assert SubjectMap().codes_for([heading]) == codes


def test_names_follow_the_language() -> None:
    subjects = SubjectMap()
    assert subjects.names(["surgery", "unknown"], "ru") == ["Хирургия"]
    assert subjects.names(["surgery"], "en") == ["Surgery"]


def test_a_configured_list_replaces_the_default(tmp_path: Path) -> None:
    path = tmp_path / "subjects.json"
    path.write_text(
        json.dumps(
            [{"code": "dentistry", "ru": "Стоматология", "en": "Dentistry", "keywords": ["зуб*"]}]
        ),
        encoding="utf-8",
    )
    subjects = load_subjects(str(path))
    assert subjects.codes_for(["Болезни зубов"]) == ("dentistry",)
    assert subjects.codes_for(["Кардиология"]) == ()


def test_bad_subject_lists_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        load_subjects(str(tmp_path / "missing.json"))
    with pytest.raises(ValueError):
        SubjectMap([Subject("a", "А", "A"), Subject("a", "Б", "B")])
    with pytest.raises(ValueError):
        SubjectMap([Subject("has space", "А", "A")])
