"""One reader's turn: the event, who they are, where they are in a dialog, and what to answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.core.events import Event
from handlers.core.i18n import Translator
from handlers.core.replies import Button, Reply
from storage.models import DialogState, LoggedMessage, Reader


@dataclass(frozen=True, slots=True)
class MenuPlace:
    """One button of the main menu: its label's message id, its payload, and where it
    stands (buttons with the same ``row`` share a line, left to right by ``column``)."""

    label: str
    payload: str
    row: int
    column: int = 0


@dataclass(slots=True)
class Turn:
    event: Event
    reader: Reader
    state: DialogState
    t: Translator
    menu: tuple[MenuPlace, ...] = ()
    """The main menu, as the registered features make it up."""
    replies: list[Reply] = field(default_factory=list)
    forgotten: bool = False
    """Set when the reader's data was erased during this turn: nothing more is stored."""
    resume: str | None = None
    """A payload to act on next in this turn as if pressed: where the reader was heading
    before something (consent) had to be asked first."""
    inbound: LoggedMessage | None = None
    """The reader's message, for the conversation log the turn writes when it ends."""

    def say(self, text: str, *rows: tuple[Button, ...]) -> None:
        self.replies.append(Reply(text=text, buttons=tuple(rows)))

    def button(self, msgid: str, payload: str) -> Button:
        return Button(self.t(msgid), payload)
