"""The reader side's dispatch tables, made from the registered features.

Two features claiming the same command, action, menu item, form or flow is a wiring
mistake, refused at start rather than left to the order of the list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from handlers.core.features import (
    ButtonHandler,
    Command,
    ConsentAsker,
    FormSubmitter,
    Leaver,
    MenuEntry,
    ReaderFeature,
    TurnHandler,
)
from handlers.core.forms import Form
from handlers.core.menu import menu_payload
from handlers.core.turn import MenuPlace

K = TypeVar("K")
V = TypeVar("V")


class ReaderRegistry:
    """Who answers what, by command, payload action, menu item, form and dialog flow."""

    def __init__(self, features: Sequence[ReaderFeature], reserved_actions: Iterable[str]) -> None:
        self.commands: dict[str, Command] = {}
        self.words: dict[str, Command] = {}
        self.actions: dict[str, ButtonHandler] = {}
        self.menu: dict[str, MenuEntry] = {}
        self.forms: dict[str, Form] = {}
        self.submitters: dict[str, FormSubmitter] = {}
        self.flows: dict[str | None, TurnHandler] = {}
        self.consent_actions: frozenset[str] = frozenset()
        self.button_only: frozenset[str] = frozenset()
        self.secret_flows: frozenset[str] = frozenset()
        self.leavers: tuple[Leaver, ...] = ()
        self.listed: tuple[Command, ...] = ()
        greeters: list[Command] = []
        askers: list[ConsentAsker] = []
        reserved = set(reserved_actions)
        for feature in features:
            for command in feature.commands:
                for name in (command.name, *command.aliases):
                    claim(self.commands, name, command, "command")
                for word in command.words:
                    claim(self.words, word, command, "word")
                if command.greets:
                    greeters.append(command)
                if command.description is not None:
                    self.listed += (command,)
            for action, handler in feature.actions.items():
                if action in reserved:
                    raise ValueError(f"payload action {action!r} belongs to the reader service")
                claim(self.actions, action, handler, "payload action")
            for entry in feature.menu:
                claim(self.menu, entry.item, entry, "menu item")
            for name, form in feature.forms.items():
                claim(self.forms, name, form, "form")
                if feature.submit is None:
                    raise ValueError(f"feature {feature.name!r} has forms and no submit")
                self.submitters[name] = feature.submit
            for flow, on_message in feature.flows.items():
                claim(self.flows, flow, on_message, "dialog flow")
            self.consent_actions |= feature.consent_actions
            self.button_only |= feature.button_only
            self.secret_flows |= feature.secret_flows
            if feature.leave is not None:
                self.leavers += (feature.leave,)
            if feature.ask_consent is not None:
                askers.append(feature.ask_consent)
        self.greeting = _at_most_one(greeters, "greeting command")
        self.ask_consent = _at_most_one(askers, "consent asker")
        gated = self.consent_actions or any(e.needs_consent for e in self.menu.values())
        if gated and self.ask_consent is None:
            raise ValueError("a feature needs consent, and no feature asks for it")

    def menu_places(self) -> tuple[MenuPlace, ...]:
        return tuple(
            MenuPlace(entry.label, menu_payload(entry.item), entry.row, entry.column)
            for entry in self.menu.values()
        )


def claim(table: dict[K, V], key: K, value: V, what: str) -> None:
    """Put ``value`` under ``key``; a key already taken is a wiring mistake."""
    if key in table:
        raise ValueError(f"{what} {key!r} is claimed by two features")
    table[key] = value


def _at_most_one(found: list[V], what: str) -> V | None:
    if len(found) > 1:
        raise ValueError(f"more than one {what}")
    return found[0] if found else None
