"""The library's subject list from a JSON file (``ARRIVALS_SUBJECTS_FILE``)::

    [{"code": "cardiology", "ru": "Кардиология", "en": "Cardiology",
      "keywords": ["кардио*", "сердц*", "heart"]}, ...]

A keyword matches a heading holding each of its words in some form; a word ending in «*» is a
prefix. Without the file the default list of :mod:`handlers.arrivals.subjects` is used.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, TypeAdapter

from handlers.arrivals.subjects import CODE, Subject, SubjectMap


class SubjectEntry(BaseModel):
    code: str = Field(pattern=CODE.pattern)
    ru: str = Field(min_length=1, max_length=60)
    en: str = Field(min_length=1, max_length=60)
    keywords: list[str] = Field(default_factory=list)


_ENTRIES = TypeAdapter(list[SubjectEntry])


def load_subjects(path: str) -> SubjectMap:
    """The subject map from the file at ``path``, or the default one when ``path`` is empty.
    Raises ``ValueError`` (with what is wrong) for a missing or malformed file."""
    if not path.strip():
        return SubjectMap()
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"ARRIVALS_SUBJECTS_FILE {path!r}: {error}") from None
    entries = _ENTRIES.validate_python(raw)
    if not entries:
        raise ValueError(f"ARRIVALS_SUBJECTS_FILE {path!r} lists no subjects")
    return SubjectMap([Subject(e.code, e.ru, e.en, tuple(e.keywords)) for e in entries])
