"""What a feature declares, so that the reader and staff services dispatch to it without
naming it: the router-per-module idea of aiogram, kept platform-neutral.

A feature is a package of its own (``handlers/<feature>/``) that builds a ``ReaderFeature``
and, when staff act on it, a ``StaffFeature``; the composition root passes the lists to the
services.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from handlers.core.events import Event
from handlers.core.forms import Form
from handlers.core.payloads import Payload
from handlers.core.turn import Turn
from storage.models import StaffMember

TurnHandler = Callable[[Turn], Awaitable[None]]
ButtonHandler = Callable[[Turn, Payload], Awaitable[None]]
FormSubmitter = Callable[[Turn, Form], Awaitable[None]]
Leaver = Callable[[Turn, str | None], Awaitable[None]]
"""Told that the reader moved on (a button, with its payload, or a command: None)."""
ConsentAsker = Callable[[Turn, str], None]
"""Asks the reader for consent; the payload is where they were heading."""


@dataclass(frozen=True, slots=True)
class Command:
    """A reader command (``/name``)."""

    name: str
    run: TurnHandler
    aliases: tuple[str, ...] = ()
    description: str | None = None
    """The message id of its line in a platform's command menu; None keeps it off the menu."""
    words: frozenset[str] = frozenset()
    """Plain words that run it outside a form (VK readers press «Начать» or type it)."""
    greets: bool = False
    """Answers a reader's very first message, whatever it is."""


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """A main-menu button, ``menu:<item>``; entries with the same ``row`` share a line."""

    item: str
    label: str
    row: int
    run: TurnHandler
    column: int = 0
    needs_consent: bool = False


@dataclass(frozen=True, slots=True)
class ReaderFeature:
    """Everything a feature answers in readers' private chats."""

    name: str
    commands: tuple[Command, ...] = ()
    actions: Mapping[str, ButtonHandler] = field(default_factory=dict)
    """Handlers by payload action (the part before the first colon)."""
    consent_actions: frozenset[str] = frozenset()
    """Actions that keep personal data: a reader without consent is asked for it first."""
    button_only: frozenset[str] = frozenset()
    """Whole payloads that erase data: taken only from a real press, never a typed number."""
    menu: tuple[MenuEntry, ...] = ()
    forms: Mapping[str, Form] = field(default_factory=dict)
    submit: FormSubmitter | None = None
    """What a confirmed form of this feature does."""
    flows: Mapping[str | None, TurnHandler] = field(default_factory=dict)
    """Free text and files by dialog flow; the key None takes them outside any flow."""
    secret_flows: frozenset[str] = frozenset()
    """Flows whose messages carry secrets (a PIN): never written to the conversation log."""
    leave: Leaver | None = None
    ask_consent: ConsentAsker | None = None


StaffCommandHandler = Callable[[Event, StaffMember, str], Awaitable[list[str]]]
"""Runs a staff command with its argument; returns the texts to post in answer."""
StaffPressHandler = Callable[[Event, StaffMember, Payload], Awaitable[str]]
"""Acts on a staff press; returns the short notice shown to the presser."""
StaffMessageHandler = Callable[[Event, StaffMember], Awaitable[bool]]
"""Takes a staff message that is not a command; False when it is not the feature's."""


@dataclass(frozen=True, slots=True)
class StaffFeature:
    """Everything a feature answers in the staff chat."""

    name: str
    commands: Mapping[str, StaffCommandHandler] = field(default_factory=dict)
    actions: Mapping[str, StaffPressHandler] = field(default_factory=dict)
    messages: StaffMessageHandler | None = None
