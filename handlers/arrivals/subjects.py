"""The library's own subject list, onto which the raw subject headings of imported records
(MARC 650/606, a CSV column, feed categories) are mapped. Readers browse by these subjects.

A subject matches a heading when every word of one of its keywords appears in the heading in
some form (Snowball stems compare «кардиология» and «кардиологии» alike), or when a keyword
is a word prefix such as «кардио*».
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storage.stems import stem, stems

CODE = re.compile(r"^[a-z0-9_\-]{1,24}$")
"""A subject code: short enough to travel in a button payload."""


@dataclass(frozen=True, slots=True)
class Subject:
    code: str
    ru: str
    en: str
    keywords: tuple[str, ...] = ()

    def name(self, language: str) -> str:
        return self.en if language == "en" else self.ru


def _keywords(*words: str) -> tuple[str, ...]:
    return words


DEFAULT_SUBJECTS: tuple[Subject, ...] = (
    Subject(
        "cardiology",
        "Кардиология",
        "Cardiology",
        _keywords("кардио*", "сердц*", "сердечн*", "артериальн гипертенз*", "cardio*", "heart"),
    ),
    Subject(
        "oncology",
        "Онкология",
        "Oncology",
        _keywords("онко*", "опухол*", "рак", "новообразован*", "onco*", "cancer", "tumor"),
    ),
    Subject(
        "paediatrics",
        "Педиатрия",
        "Paediatrics",
        _keywords("педиатр*", "дет*", "неонат*", "новорожденн*", "pediatr*", "paediatr*"),
    ),
    Subject(
        "nursing",
        "Сестринское дело",
        "Nursing",
        _keywords("сестринск*", "медицинск сестр*", "nursing", "nurse*"),
    ),
    Subject(
        "public_health",
        "Общественное здоровье и здравоохранение",
        "Public health",
        _keywords(
            "общественн здоров*",
            "здравоохранен*",
            "эпидемиолог*",
            "public health",
            "health care",
            "epidemiolog*",
        ),
    ),
    Subject(
        "surgery",
        "Хирургия",
        "Surgery",
        _keywords("хирург*", "операци*", "surg*"),
    ),
    Subject(
        "neurology",
        "Неврология",
        "Neurology",
        _keywords("невролог*", "нерв*", "инсульт*", "neuro*", "stroke"),
    ),
    Subject(
        "infectious",
        "Инфекционные болезни",
        "Infectious diseases",
        _keywords("инфекц*", "вирус*", "бактери*", "infect*", "viral", "virus*"),
    ),
    Subject(
        "obstetrics",
        "Акушерство и гинекология",
        "Obstetrics and gynaecology",
        _keywords("акушер*", "гинеколог*", "беременн*", "obstetric*", "gyn*"),
    ),
    Subject(
        "therapy",
        "Внутренние болезни",
        "Internal medicine",
        _keywords("терапи*", "внутренн болезн*", "internal medicine"),
    ),
    Subject(
        "pharmacology",
        "Фармакология",
        "Pharmacology",
        _keywords("фармак*", "лекарствен*", "pharmac*", "drug*"),
    ),
    Subject(
        "psychiatry",
        "Психиатрия",
        "Psychiatry",
        _keywords("психиатр*", "психическ*", "psychiatr*", "mental"),
    ),
)


@dataclass(frozen=True, slots=True)
class _Pattern:
    code: str
    parts: tuple[tuple[str, bool], ...]
    """Each word of a keyword: its stem (or prefix) and whether it is a prefix."""


def _pattern(code: str, keyword: str) -> _Pattern:
    parts = []
    for word in keyword.lower().replace("ё", "е").split():
        if word.endswith("*"):
            parts.append((word.rstrip("*"), True))
        else:
            parts.append((stem(word), False))
    return _Pattern(code, tuple(parts))


class SubjectMap:
    """The configured subjects, and the mapping of raw headings onto their codes."""

    def __init__(self, subjects: Sequence[Subject] = DEFAULT_SUBJECTS) -> None:
        codes = [subject.code for subject in subjects]
        bad = [code for code in codes if not CODE.match(code)]
        if bad or len(set(codes)) != len(codes):
            raise ValueError(f"subject codes must be distinct and match {CODE.pattern}: {bad}")
        self.subjects = tuple(subjects)
        self._by_code = {subject.code: subject for subject in subjects}
        self._patterns = [
            _pattern(subject.code, keyword)
            for subject in subjects
            for keyword in (*subject.keywords, subject.ru, subject.en)
        ]

    def get(self, code: str) -> Subject | None:
        return self._by_code.get(code)

    def codes_for(self, headings: Iterable[str]) -> tuple[str, ...]:
        """The codes of the subjects that any of ``headings`` matches, in list order. A
        heading that is itself a subject code or name counts too (CSV columns often hold
        them)."""
        found: set[str] = set()
        for heading in headings:
            lowered = heading.strip().lower()
            if lowered in self._by_code:
                found.add(lowered)
                continue
            words = stems(heading)
            for pattern in self._patterns:
                if pattern.code not in found and _matches(pattern, words):
                    found.add(pattern.code)
        return tuple(subject.code for subject in self.subjects if subject.code in found)

    def names(self, codes: Iterable[str], language: str) -> list[str]:
        """The names of the known subjects among ``codes``."""
        return [s.name(language) for code in codes if (s := self._by_code.get(code)) is not None]


def _matches(pattern: _Pattern, words: list[str]) -> bool:
    if not pattern.parts:
        return False
    return all(
        any(word.startswith(part) if prefix else word == part for word in words)
        for part, prefix in pattern.parts
    )
