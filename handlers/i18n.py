"""Reader-facing texts from gettext catalogues (Babel), one per language."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).parent / "locales"
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


class Catalog:
    """All languages found under ``locales/``; compiled from the ``.po`` files at start."""

    def __init__(self, directory: Path = LOCALES_DIR, default: str = "ru") -> None:
        self._translators: dict[str, Translator] = {}
        for po_path in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            language = po_path.parent.parent.name
            self._translators[language] = Translator(language, _compile(po_path))
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
        po_path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        with po_path.open("rb") as source:
            catalog = read_po(source)
        return {str(m.id) for m in catalog if m.id and m.string}


def _compile(po_path: Path) -> Translations:
    with po_path.open("rb") as source:
        catalog = read_po(source)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)
