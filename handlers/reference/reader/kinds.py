"""The kinds of reference request, each with its guided form, and the menu that offers them."""

from __future__ import annotations

from handlers.core.config import TicketPolicy
from handlers.core.forms import Choice, Form, Step
from handlers.core.numbers import typed_number
from handlers.core.payloads import pack
from handlers.core.replies import Button
from handlers.core.turn import Turn
from handlers.reference.reader.context import MENU_ASK
from storage.models import TicketKind

FILES_STEP = Step(
    key="files",
    prompt="ticket-files-prompt",
    label="ticket-files-label",
    free_text=False,
    attachments=True,
    optional=True,
)


def ticket_forms(policy: TicketPolicy) -> dict[str, Form]:
    """One form per kind, named by the kind's value; limits come from the ticket policy."""
    return {
        TicketKind.THEMATIC: _thematic(policy.thematic_max_titles),
        TicketKind.ADDRESS: _single(
            TicketKind.ADDRESS,
            Step("details", "address-details-prompt", "address-details-label", max_length=3000),
        ),
        TicketKind.CLARIFYING: _single(
            TicketKind.CLARIFYING,
            Step("reference", "clarifying-reference-prompt", "clarifying-reference-label"),
        ),
        TicketKind.FACTOGRAPHIC: _single(
            TicketKind.FACTOGRAPHIC,
            Step("question", "factographic-question-prompt", "factographic-question-label"),
        ),
        TicketKind.OTHER: _single(
            TicketKind.OTHER, Step("question", "other-question-prompt", "other-question-label")
        ),
    }


def show_kinds(turn: Turn) -> None:
    """The kinds of request, each explained in one line, with a button per kind."""
    lines = [turn.t("kinds-prompt")]
    lines += [f"• {turn.t(f'kind-{kind}')}: {turn.t(f'kind-hint-{kind}')}" for kind in TicketKind]
    rows: list[tuple[Button, ...]] = [
        (turn.button(f"kind-{kind}", pack("ask", str(kind))),) for kind in TicketKind
    ]
    rows.append((turn.button("back-to-menu", pack("menu", "main")),))
    turn.say("\n".join(lines), *rows)


def kind_name(turn: Turn, kind: TicketKind) -> str:
    return turn.t(f"kind-{kind}")


def _single(kind: TicketKind, text: Step) -> Form:
    """A kind whose request is one text (the details, the reference, the question)."""
    return Form(name=str(kind), title=f"kind-{kind}", back_to=MENU_ASK, steps=(text, FILES_STEP))


def _thematic(max_titles: int) -> Form:
    def validate_titles(text: str) -> str | None:
        number = typed_number(text)
        ok = number is not None and 1 <= number <= max_titles
        return None if ok else "thematic-titles-invalid"

    return Form(
        name=str(TicketKind.THEMATIC),
        title=f"kind-{TicketKind.THEMATIC}",
        back_to=MENU_ASK,
        steps=(
            Step(key="topic", prompt="thematic-topic-prompt", label="thematic-topic-label"),
            Step(
                key="purpose",
                prompt="thematic-purpose-prompt",
                label="thematic-purpose-label",
                choices=(
                    Choice("research", "purpose-research"),
                    Choice("clinical", "purpose-clinical"),
                    Choice("teaching", "purpose-teaching"),
                    Choice("study", "purpose-study"),
                ),
                max_length=300,
            ),
            Step(
                key="years",
                prompt="thematic-years-prompt",
                label="thematic-years-label",
                choices=(Choice("five", "years-five"), Choice("any", "years-any")),
                max_length=100,
            ),
            Step(
                key="languages",
                prompt="thematic-languages-prompt",
                label="thematic-languages-label",
                choices=(
                    Choice("ru", "languages-ru"),
                    Choice("ru_en", "languages-ru-en"),
                    Choice("any", "languages-any"),
                ),
                max_length=200,
            ),
            Step(
                key="doctypes",
                prompt="thematic-doctypes-prompt",
                label="thematic-doctypes-label",
                choices=(Choice("any", "doctypes-any"),),
                max_length=300,
            ),
            Step(
                key="titles",
                prompt="thematic-titles-prompt",
                label="thematic-titles-label",
                max_length=20,
                validate=validate_titles,
                values=(("limit", max_titles),),
            ),
            FILES_STEP,
        ),
    )
