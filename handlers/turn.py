"""One reader's turn: the event, who they are, where they are in a dialog, and what to answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.events import Event
from handlers.i18n import Translator
from handlers.replies import Button, Reply
from storage.models import DialogState, Reader


@dataclass(slots=True)
class Turn:
    event: Event
    reader: Reader
    state: DialogState
    t: Translator
    replies: list[Reply] = field(default_factory=list)
    forgotten: bool = False
    """Set when the reader's data was erased during this turn: nothing more is stored."""

    def say(self, text: str, *rows: tuple[Button, ...]) -> None:
        self.replies.append(Reply(text=text, buttons=tuple(rows)))

    def button(self, msgid: str, payload: str) -> Button:
        return Button(self.t(msgid), payload)
