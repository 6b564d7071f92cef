"""Multi-step forms: one question per step, with back, skip, cancel and a final summary.

The step and the answers so far live in the reader's stored dialog state, so a restart in the
middle of a form resumes at the same step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handlers.core.events import AttachmentKind
from handlers.core.i18n import characters, files_count
from handlers.core.payloads import Payload, pack
from handlers.core.replies import Button
from handlers.core.turn import Turn

FORM_ACTION = "form"
"""The payload action of every form button: ``form:<form>:<step>:<verb>[:<value>]``."""
CONFIRM = "confirm"


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str
    """Message id of the button label; the value stored is the label in the reader's language."""


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    prompt: str
    label: str
    """Message id naming the answer in the summary."""
    choices: tuple[Choice, ...] = ()
    free_text: bool = True
    attachments: bool = False
    optional: bool = False
    max_length: int = 2000
    validate: Callable[[str], str | None] | None = None
    """Returns the message id of an error, or None when the answer is acceptable."""
    values: tuple[tuple[str, object], ...] = ()
    """Placeholders filled into the prompt and the error texts (limits set by configuration)."""


@dataclass(frozen=True, slots=True)
class Form:
    name: str
    title: str
    steps: tuple[Step, ...] = field(default_factory=tuple)
    back_to: str | None = None
    """Where «Back» on the first step leads (a payload); no «Back» there when None."""

    def step(self, key: str | None) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)

    def index(self, key: str | None) -> int:
        keys = [s.key for s in self.steps] + [CONFIRM]
        return keys.index(key) if key in keys else -1


class FormOutcome:
    CONTINUE = "continue"
    SUBMIT = "submit"
    CANCELLED = "cancelled"


def start(turn: Turn, form: Form, prefill: dict[str, Any] | None = None) -> None:
    turn.state.flow = form.name
    turn.state.data = {"answers": dict(prefill or {}), "files": []}
    _go_to(turn, form, _first_unanswered(turn, form))


def resume(turn: Turn, form: Form) -> None:
    """Show the current step again (after a restart, a stale button or an unclear answer)."""
    _prompt(turn, form, turn.state.step or form.steps[0].key)


def on_button(turn: Turn, form: Form, payload: Payload) -> str:
    """Handle ``form:<name>:<step>:<action>[:<value>]``; returns a FormOutcome."""
    step_key, action, value = payload.arg(1), payload.arg(2), payload.arg(3)
    if action == "cancel":
        return _cancel(turn)
    if step_key != turn.state.step:
        turn.say(turn.t("form-stale-button"))
        resume(turn, form)
        return FormOutcome.CONTINUE
    if action == "back":
        _go_back(turn, form)
    elif action == "send" and step_key == CONFIRM:
        return FormOutcome.SUBMIT
    elif action == "skip" and (step := form.step(step_key)) and (step.optional or step.attachments):
        _advance(turn, form)
    elif action == "pick" and (step := form.step(step_key)):
        choice = next((c for c in step.choices if c.value == value), None)
        if choice is None:
            turn.say(turn.t("form-stale-button"))
            resume(turn, form)
        else:
            _answers(turn)[step.key] = turn.t(choice.label)
            _advance(turn, form)
    else:
        turn.say(turn.t("form-stale-button"))
        resume(turn, form)
    return FormOutcome.CONTINUE


def on_message(turn: Turn, form: Form, max_attachments: int) -> str:
    """Take a typed answer or files for the current step; returns a FormOutcome."""
    step = form.step(turn.state.step)
    event = turn.event
    if step is None:
        turn.say(turn.t("form-use-buttons"))
        resume(turn, form)
        return FormOutcome.CONTINUE
    files = [a for a in event.attachments if a.kind is not AttachmentKind.UNSUPPORTED]
    if files and not step.attachments:
        turn.say(turn.t("form-no-files-here"))
        resume(turn, form)
        return FormOutcome.CONTINUE
    if files:
        stored: list[dict[str, Any]] = turn.state.data.setdefault("files", [])
        room = max_attachments - len(stored)
        stored.extend(a.metadata() for a in files[: max(room, 0)])
        if room < len(files):
            turn.say(turn.t("form-too-many-files", limit=files_count(turn.t, max_attachments)))
    text = (event.text or "").strip()
    if text:
        if not step.free_text:
            turn.say(turn.t("form-use-buttons"))
            resume(turn, form)
            return FormOutcome.CONTINUE
        if len(text) > step.max_length:
            turn.say(turn.t("form-answer-too-long", limit=characters(turn.t, step.max_length)))
            resume(turn, form)
            return FormOutcome.CONTINUE
        error = step.validate(text) if step.validate else None
        if error:
            turn.say(turn.t(error, **dict(step.values)))
            resume(turn, form)
            return FormOutcome.CONTINUE
        _answers(turn)[step.key] = text
        _advance(turn, form)
    elif files:
        _acknowledge_files(turn, form, step)
    return FormOutcome.CONTINUE


def answers(turn: Turn) -> dict[str, str]:
    return dict(_answers(turn))


def files(turn: Turn) -> list[dict[str, Any]]:
    return list(turn.state.data.get("files", []))


def summary(turn: Turn, form: Form) -> str:
    lines = [turn.t(form.title)]
    given = _answers(turn)
    count = len(turn.state.data.get("files", []))
    for step in form.steps:
        if step.attachments and not step.free_text:
            value = turn.t("form-files-count", count=count) if count else ""
        else:
            value = given.get(step.key, "")
        lines.append(f"{turn.t(step.label)}: {value or turn.t('form-not-given')}")
    return "\n".join(lines)


def finish(turn: Turn) -> None:
    turn.state.flow = turn.state.step = None
    turn.state.data = {}


def _answers(turn: Turn) -> dict[str, str]:
    result: dict[str, str] = turn.state.data.setdefault("answers", {})
    return result


def _first_unanswered(turn: Turn, form: Form) -> str:
    given = _answers(turn)
    return next((s.key for s in form.steps if s.key not in given), CONFIRM)


def _advance(turn: Turn, form: Form) -> None:
    position = form.index(turn.state.step)
    keys = [s.key for s in form.steps] + [CONFIRM]
    _go_to(turn, form, keys[min(position + 1, len(keys) - 1)])


def _go_back(turn: Turn, form: Form) -> None:
    position = form.index(turn.state.step)
    keys = [s.key for s in form.steps] + [CONFIRM]
    _go_to(turn, form, keys[max(position - 1, 0)])


def _go_to(turn: Turn, form: Form, key: str) -> None:
    turn.state.step = key
    _prompt(turn, form, key)


def _cancel(turn: Turn) -> str:
    finish(turn)
    turn.say(turn.t("form-cancelled"))
    return FormOutcome.CANCELLED


def _nav(turn: Turn, form: Form, key: str, first: bool) -> tuple[Button, ...]:
    buttons: list[Button] = []
    if not first:
        buttons.append(turn.button("form-back", pack(FORM_ACTION, form.name, key, "back")))
    elif form.back_to:
        buttons.append(turn.button("form-back", form.back_to))
    buttons.append(turn.button("form-cancel", pack(FORM_ACTION, form.name, key, "cancel")))
    return tuple(buttons)


def _prompt(turn: Turn, form: Form, key: str) -> None:
    first = form.index(key) == 0
    if key == CONFIRM:
        turn.say(
            summary(turn, form) + "\n\n" + turn.t("form-confirm"),
            (turn.button("form-send", pack(FORM_ACTION, form.name, CONFIRM, "send")),),
            _nav(turn, form, key, first),
        )
        return
    step = form.step(key)
    if step is None:
        return
    rows: list[tuple[Button, ...]] = [
        (turn.button(c.label, pack(FORM_ACTION, form.name, key, "pick", c.value)),)
        for c in step.choices
    ]
    if step.optional or step.attachments:
        skip_label = "form-files-done" if step.attachments else "form-skip"
        rows.append((turn.button(skip_label, pack(FORM_ACTION, form.name, key, "skip")),))
    rows.append(_nav(turn, form, key, first))
    text = turn.t(step.prompt, **dict(step.values))
    if step.attachments:
        text += "\n\n" + turn.t("form-files-hint")
    turn.say(text, *rows)


def _acknowledge_files(turn: Turn, form: Form, step: Step) -> None:
    group = turn.event.media_group_id
    if group and turn.state.data.get("last_album") == group:
        return
    turn.state.data["last_album"] = group
    count = len(turn.state.data.get("files", []))
    turn.say(
        turn.t("form-files-received", count=count),
        (turn.button("form-files-done", pack(FORM_ACTION, form.name, step.key, "skip")),),
        _nav(turn, form, step.key, form.index(step.key) == 0),
    )
