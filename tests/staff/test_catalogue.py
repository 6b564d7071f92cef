"""The staff catalogue: complete in both languages, every text used, placeholders agreeing."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from handlers.core.i18n import LOCALES_DIR, Catalog
from handlers.reference.staff.cards import kind_name, status_name
from storage.models import TicketKind, TicketStatus

SOURCES = Path(__file__).parents[2] / "handlers"
DYNAMIC = ("desk-kind-", "desk-status-", "desk-file-", "desk-actor-")
"""Message ids built from a prefix and a value at run time."""


def staff_po(language: str) -> dict[str, str]:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "staff.po").open("rb") as source:
        # A plural message goes by its singular id, with all its forms.
        return {
            m.id if isinstance(m.id, str) else m.id[0]: str(m.string)
            for m in read_po(source)
            if m.id
        }


def test_both_languages_have_every_text() -> None:
    russian, english = staff_po("ru"), staff_po("en")
    assert set(russian) == set(english)
    assert all(russian.values()) and all(english.values())


def test_placeholders_agree_between_languages() -> None:
    russian, english = staff_po("ru"), staff_po("en")
    for msgid, text in russian.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", english[msgid]))


def test_every_text_is_used_by_the_staff_side() -> None:
    code = "\n".join(path.read_text() for path in SOURCES.rglob("*.py"))
    for msgid in staff_po("ru"):
        assert f'"{msgid}"' in code or msgid.startswith(DYNAMIC), msgid


def test_every_text_the_code_names_exists() -> None:
    code = "\n".join(path.read_text() for path in SOURCES.rglob("*.py"))
    named = set(re.findall(r'"(desk-[a-z0-9-]+)"', code))
    with (LOCALES_DIR / "ru" / "LC_MESSAGES" / "staff.po").open("rb") as source:
        plurals = {m.id[1] for m in read_po(source) if m.id and not isinstance(m.id, str)}
    assert named <= set(staff_po("ru")) | plurals


def test_dynamic_names_cover_every_kind_and_status() -> None:
    catalog = Catalog()
    for language in ("ru", "en"):
        t = catalog.translator(language)
        for kind in TicketKind:
            assert kind_name(t, kind) != f"desk-kind-{kind}"
        for status in TicketStatus:
            assert status_name(t, status) != f"desk-status-{status}"
        for name in ("photo", "document", "unsupported"):
            assert t(f"desk-file-{name}") != f"desk-file-{name}"
        for actor in ("reader", "system"):
            assert t(f"desk-actor-{actor}") != f"desk-actor-{actor}"


def test_staff_texts_do_not_shadow_the_reader_conversation() -> None:
    with (LOCALES_DIR / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        reader_ids = {str(m.id) for m in read_po(source) if m.id}
    assert not reader_ids & set(staff_po("ru"))
