"""The staff side of new arrivals, in the staff chat:

- ``/import`` as the caption of a file (MARC, MARCXML, CSV, an RSS/Atom export), or as a
  reply to a message with the file, imports it and posts the summary;
- ``/arrival Title | Authors | Year | ISBN | subjects`` adds one arrival by hand, with the
  photo sent along as its cover, and posts the fields as they were understood.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from handlers.arrivals.ports import Arrivals, FileImporter
from handlers.arrivals.subjects import SubjectMap
from handlers.arrivals.summary import summary_text
from handlers.core.events import AttachmentKind, Event
from handlers.core.features import StaffFeature
from handlers.core.i18n import Catalog, Translator
from handlers.core.messenger import DeliveryError, Messenger
from storage.arrival_models import Arrival, ArrivalRecord, Outcome
from storage.isbn import normalise
from storage.models import Platform, StaffMember

log = logging.getLogger(__name__)

OUTCOME_TEXTS = {
    Outcome.ADDED: "arrivals-manual-added",
    Outcome.UPDATED: "arrivals-manual-updated",
    Outcome.DUPLICATE: "arrivals-manual-duplicate",
}

MANUAL_SOURCE = "manual"
FIELD_SEPARATOR = "|"
LIST_SEPARATOR = ";"
TITLE_LIMIT = 1000
ITEM_LIMIT = 255
MAX_ITEMS = 50
YEAR_RANGE = range(1450, 2200)


class ArrivalDesk:
    """Imports files and manual entries from the staff chat."""

    def __init__(
        self,
        *,
        arrivals: Arrivals,
        importer: FileImporter,
        subjects: SubjectMap,
        catalog: Catalog,
        messengers: Mapping[Platform, Messenger],
        max_file_bytes: int,
    ) -> None:
        self._arrivals = arrivals
        self._importer = importer
        self._subjects = subjects
        self._t = catalog.translator(catalog.default)
        self._messengers = messengers
        self._max_file_bytes = max_file_bytes

    def feature(self) -> StaffFeature:
        return StaffFeature(
            name="arrivals",
            commands={"import": self._import, "arrival": self._manual},
        )

    async def _import(self, event: Event, staff: StaffMember, argument: str) -> list[str]:
        sent = event.attachments or event.replied_attachments
        files = [a for a in sent if a.kind is AttachmentKind.DOCUMENT]
        if not files:
            return [self._t("arrivals-import-usage")]
        messenger = self._messengers.get(event.platform)
        texts = []
        for attachment in files:
            name = attachment.file_name or self._t("arrivals-import-unnamed")
            if attachment.size is not None and attachment.size > self._max_file_bytes:
                texts.append(self._too_large(name))
                continue
            try:
                if messenger is None:
                    raise DeliveryError("no messenger for the staff chat's platform")
                data = await messenger.download(attachment)
            except DeliveryError as error:
                log.info("import file not downloaded: %s", type(error).__name__)
                texts.append(self._t("arrivals-import-download-failed", source=name))
                continue
            if len(data) > self._max_file_bytes:
                texts.append(self._too_large(name))
                continue
            summary = await self._importer.import_bytes(data, name)
            texts.append(summary_text(self._t, summary))
            log.info(
                "import of %s by %s: %d added, %d updated, %d duplicates, %d rejected",
                name,
                staff.user_id,
                summary.added,
                summary.updated,
                summary.duplicates,
                len(summary.rejected),
            )
        return texts

    def _too_large(self, name: str) -> str:
        megabytes = self._max_file_bytes // (1024 * 1024)
        return self._t("arrivals-import-too-large", source=name, megabytes=megabytes)

    async def _manual(self, event: Event, staff: StaffMember, argument: str) -> list[str]:
        parsed = self._parse(argument, event)
        if isinstance(parsed, str):
            return [parsed]
        outcome, arrival = await self._arrivals.store(parsed)
        return [self._confirmation(outcome, arrival)]

    def _parse(self, argument: str, event: Event) -> ArrivalRecord | str:
        """The record the command describes, or the text telling staff what is wrong."""
        fields = [part.strip() for part in argument.split(FIELD_SEPARATOR)]
        fields += [""] * (5 - len(fields))
        title, authors, year_text, isbn_text, subjects_text = fields[:5]
        if not title or len(fields) > 5:
            return self._t("arrivals-manual-usage")
        year = None
        if year_text:
            digits = year_text.strip()
            if not (digits.isascii() and digits.isdigit()) or int(digits) not in YEAR_RANGE:
                return self._t("arrivals-manual-bad-year", year=year_text[:20])
            year = int(digits)
        isbns: tuple[str, ...] = ()
        if isbn_text:
            isbn = normalise(isbn_text)
            if isbn is None:
                return self._t("arrivals-manual-bad-isbn", isbn=isbn_text[:40])
            isbns = (isbn,)
        headings = _listed(subjects_text)
        photo = next((a for a in event.attachments if a.kind is AttachmentKind.PHOTO), None)
        cover = f"{photo.platform}:{photo.ref}" if photo and photo.platform and photo.ref else None
        return ArrivalRecord(
            title=title[:TITLE_LIMIT],
            source=MANUAL_SOURCE,
            authors=_listed(authors),
            year=year,
            isbns=isbns,
            cover=cover,
            headings=headings,
            subjects=self._subjects.codes_for(headings),
        )

    def _confirmation(self, outcome: Outcome, arrival: Arrival) -> str:
        t: Translator = self._t
        record = arrival.record
        none = t("arrivals-manual-none")
        heading = t(OUTCOME_TEXTS[outcome], number=arrival.id)
        subjects = self._subjects.names(record.subjects, t.language)
        return "\n".join(
            [
                heading,
                t("arrivals-manual-title", title=record.title),
                t("arrivals-manual-authors", authors="; ".join(record.authors) or none),
                t("arrivals-manual-year", year=record.year or none),
                t("arrivals-manual-isbn", isbn=", ".join(record.isbns) or none),
                t("arrivals-manual-subjects", subjects=", ".join(subjects) or none),
                t("arrivals-manual-headings", headings="; ".join(record.headings) or none),
                t("arrivals-manual-cover-yes" if record.cover else "arrivals-manual-cover-no"),
            ]
        )


def _listed(text: str) -> tuple[str, ...]:
    """The distinct items of a «;»-separated field, each cut to what storage keeps."""
    items = (" ".join(p.split())[:ITEM_LIMIT] for p in text.split(LIST_SEPARATOR))
    return tuple(dict.fromkeys(item for item in items if item))[:MAX_ITEMS]
