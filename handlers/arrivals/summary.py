"""An import's summary as staff read it (in the staff chat and from the command line)."""

from __future__ import annotations

from handlers.core.i18n import Translator
from storage.arrival_models import ImportSummary

REJECTIONS_LISTED = 20


def summary_text(t: Translator, summary: ImportSummary) -> str:
    if summary.unreadable is not None:
        return t(
            "arrivals-import-unreadable",
            source=summary.source,
            reason=t(f"arrivals-reason-{summary.unreadable}"),
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
        reason = t(f"arrivals-reason-{rejection.reason}")
        if rejection.detail:
            reason = f"{reason} ({rejection.detail})"
        lines.append(t("arrivals-import-rejected", number=rejection.number, reason=reason))
    hidden = len(summary.rejected) - REJECTIONS_LISTED
    if hidden > 0:
        lines.append(t("arrivals-import-more-rejected", count=hidden))
    return "\n".join(lines)
