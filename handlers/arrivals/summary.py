"""An import's summary as staff read it (in the staff chat and from the command line)."""

from __future__ import annotations

from handlers.core.i18n import Translator
from storage.arrival_models import ImportSummary, Reason

REJECTIONS_LISTED = 20

REASON_TEXTS = {
    Reason.NO_TITLE: "arrivals-reason-no-title",
    Reason.BROKEN_RECORD: "arrivals-reason-broken-record",
    Reason.UNDECODABLE: "arrivals-reason-undecodable",
    Reason.MALFORMED: "arrivals-reason-malformed",
    Reason.TOO_MANY_CELLS: "arrivals-reason-too-many-cells",
    Reason.BROKEN_CSV: "arrivals-reason-broken-csv",
    Reason.NOT_STORED: "arrivals-reason-not-stored",
    Reason.UNKNOWN_FORMAT: "arrivals-reason-unknown-format",
    Reason.BAD_XML: "arrivals-reason-bad-xml",
    Reason.BAD_FEED: "arrivals-reason-bad-feed",
}


def summary_text(t: Translator, summary: ImportSummary) -> str:
    if summary.unreadable is not None:
        return t(
            "arrivals-import-unreadable",
            source=summary.source,
            reason=t(REASON_TEXTS[summary.unreadable]),
        )
    lines = [
        t(
            "arrivals-import-summary",
            source=summary.source,
            added=summary.added,
            updated=summary.updated,
            duplicates=summary.duplicates,
            rejected=len(summary.rejected),
        )
    ]
    for rejection in summary.rejected[:REJECTIONS_LISTED]:
        reason = t(REASON_TEXTS[rejection.reason])
        if rejection.detail:
            reason = f"{reason} ({rejection.detail})"
        lines.append(t("arrivals-import-rejected", number=rejection.number, reason=reason))
    hidden = len(summary.rejected) - REJECTIONS_LISTED
    if hidden > 0:
        lines.append(t("arrivals-import-more-rejected", count=hidden))
    return "\n".join(lines)
