"""Reader-facing texts from gettext catalogues (Babel), one per language."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).parent.parent / "locales"
DOMAIN = "messages"


class Translator:
    """Looks up a message id in one language and fills in its ``{placeholders}``.

    Values are substituted after lookup, so reader-supplied text is never parsed as a format
    string.
    """

    def __init__(self, language: str, translations: Translations) -> None:
        self.language = language
        self._translations = translations

    def __call__(self, msgid: str, **values: object) -> str:
        text: str = self._translations.gettext(msgid)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        text: str = self._translations.ngettext(singular, plural, n)
        return text.format(n=n, **values)


def characters(t: Translator, n: int) -> str:
    """«1 символ», «3 символа», «4000 символов»."""
    return t.plural("count-characters", "count-characters-many", n)


def files_count(t: Translator, n: int) -> str:
    """«1 файл», «3 файла», «10 файлов»."""
    return t.plural("count-files", "count-files-many", n)


def days_count(t: Translator, n: int) -> str:
    """«1 день», «3 дня», «365 дней»."""
    return t.plural("count-days", "count-days-many", n)


def platform_name(t: Translator, platform: str) -> str:
    """The name readers and staff know a platform by: «Telegram», «ВКонтакте»."""
    return t(f"platform-{platform}")


class Catalog:
    """All languages found under ``locales/``; compiled from the ``.po`` files at start.

    A language may have several ``.po`` files (one per part of the product, e.g. the reader
    conversation and the staff desk); they are merged into one catalogue.
    """

    def __init__(self, directory: Path = LOCALES_DIR, default: str = "ru") -> None:
        self._directory = directory
        self._translators: dict[str, Translator] = {}
        for language_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
            po_paths = sorted((language_dir / "LC_MESSAGES").glob("*.po"))
            if not po_paths:
                continue
            translations = _compile(po_paths[0])
            for extra in po_paths[1:]:
                translations.merge(_compile(extra))
            self._translators[language_dir.name] = Translator(language_dir.name, translations)
        if default not in self._translators:
            raise ValueError(f"no message catalogue for the default language {default!r}")
        self.default = default

    @property
    def languages(self) -> list[str]:
        return sorted(self._translators)

    def pick(self, language_code: str | None) -> str:
        """The supported language for a platform language code (``en-GB`` → ``en``)."""
        if language_code:
            base = language_code.replace("_", "-").split("-", 1)[0].lower()
            if base in self._translators:
                return base
        return self.default

    def translator(self, language: str | None) -> Translator:
        return self._translators[self.pick(language)]

    def message_ids(self, language: str) -> set[str]:
        """Every translated message id of a language (for completeness checks)."""
        ids: set[str] = set()
        for po_path in (self._directory / language / "LC_MESSAGES").glob("*.po"):
            with po_path.open("rb") as source:
                ids |= {_singular(m.id) for m in read_po(source) if m.id and _translated(m.string)}
        return ids


def _singular(msgid: str | Sequence[str]) -> str:
    """A message's id; for a plural message, its singular id."""
    return msgid if isinstance(msgid, str) else msgid[0]


def _translated(msgstr: str | Sequence[str] | None) -> bool:
    return bool(msgstr) if msgstr is None or isinstance(msgstr, str) else all(msgstr)


def _compile(po_path: Path) -> Translations:
    with po_path.open("rb") as source:
        catalog = read_po(source)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)
