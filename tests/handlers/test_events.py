"""Neutral events: what counts as a command, and texts made well-formed on arrival."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.core.events import Attachment, AttachmentKind, Event
from handlers.core.numbers import typed_number
from handlers.core.wellformed import well_formed
from storage.models import Address, Platform
from tests.handlers.hostile_strategies import WHITESPACE, hostile_text

READER = Address(Platform.VK, 1)


def said(text: str | None) -> Event:
    return Event(address=READER, sender_id=1, text=text)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/start", "start"),
        ("/START extra words", "start"),
        ("/start@library_bot", "start"),
        ("/start@otherbot", "start"),
        ("/ticket\u00a012", "ticket"),
        ("//", "/"),
        ("/\u200b", "\u200b"),
        ("/" + "x" * 5000, "x" * 5000),
        ("/", None),
        ("/ ", None),
        ("/ start", None),
        ("/\u00a0", None),
        ("/\u3000", None),
        ("/\n", None),
        ("/\t/start", None),
        ("/@bot", None),
        ("start", None),
        ("", None),
        (None, None),
    ],
)
def test_a_command_is_a_slash_directly_followed_by_a_word(
    text: str | None, command: str | None
) -> None:
    assert said(text).command == command


@given(st.sampled_from(WHITESPACE), hostile_text)
def test_a_slash_then_whitespace_is_never_a_command(space: str, rest: str) -> None:
    assert said("/" + space + rest).command is None


@given(hostile_text)
def test_any_text_gives_a_command_or_none_and_never_raises(text: str) -> None:
    command = said(text).command
    assert command is None or (command and not any(c.isspace() for c in command))


def test_lone_surrogates_and_nul_become_the_replacement_character() -> None:
    event = Event(
        address=READER,
        sender_id=1,
        display_name="Анна\ud800",
        text="a\udc00b\x00",
        payload="menu:\udfff",
        attachments=(Attachment(AttachmentKind.DOCUMENT, file_name="\ud83d.pdf"),),
    )

    assert event.display_name == "Анна\ufffd"
    assert event.text == "a\ufffdb\ufffd"
    assert event.payload == "menu:\ufffd"
    assert event.attachments[0].file_name == "\ufffd.pdf"


def test_a_surrogate_pair_left_as_two_code_points_is_joined() -> None:
    assert well_formed("\ud83d\ude00 ok") == "😀 ok"


@given(hostile_text)
def test_well_formed_text_encodes_to_utf8_and_keeps_what_was_valid(text: str) -> None:
    result = well_formed(text)
    result.encode("utf-8")
    assert "\x00" not in result
    if "\x00" not in text:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return
        assert result == text


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1", 1),
        (" 12 ", 12),
        ("007", 7),
        ("9" * 18, 10**18 - 1),
        ("9" * 19, None),
        ("1" * 5000, None),
        ("²", None),
        ("١", None),
        ("-1", None),
        ("1.0", None),
        ("", None),
        (" ", None),
    ],
)
def test_typed_numbers_are_ascii_digits_that_fit_the_database(
    text: str, number: int | None
) -> None:
    assert typed_number(text) == number
