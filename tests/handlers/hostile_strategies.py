"""Hypothesis strategies for hostile input: odd commands, whitespace, Unicode edge cases,
huge texts and forged button payloads."""

from __future__ import annotations

from hypothesis import strategies as st

WHITESPACE = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
"""Every character ``str.split()`` splits on."""

INVISIBLE = (
    "\u200b",  # zero-width space: not whitespace to str.split
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u2069",  # pop directional isolate
    "\u0301",  # combining acute accent
    "\u0336",  # combining long stroke overlay
    "\x00",
    "\x7f",
)

LONE_SURROGATES = ("\ud800", "\udbff", "\udc00", "\udfff", "\ud83d")

TRICKY = (
    "👨\u200d👩\u200d👧\u200d👦",  # a family: emoji joined by ZWJ
    "🏳\ufe0f\u200d🌈",
    "🇷🇺",
    "ё̈",
    "²",  # isdigit() but not a number int() reads
    "١",  # an Arabic-Indic digit one
    "Ⅻ",
    "\U0010ffff",
    "\ufffd",
    "مرحبا",
    "%s{0}{name}",
)

ODD_COMMANDS = (
    "/",
    "/ ",
    "/\u00a0",
    "/\u3000",
    "/\n",
    "/\t",
    "/ start",
    "//",
    "///start",
    "/@",
    "/@bot",
    "/start@otherbot",
    "/START",
    "/start\u200b",
    "/\u200b",
    "/\ud800",
    "/\x00",
    "/" + "x" * 5000,
    "/start " + "x" * 5000,
    "/cancel",
    "/menu",
    "/help",
    "/language",
    "/privacy",
    "/forget",
)

ODD_NUMBERS = ("0", "1", "2", "3", "-1", "²", "١", "1" * 5000, "9" * 30, " 1 ", "1.0", "1e3")

hostile_piece = st.one_of(
    st.characters(),
    st.sampled_from(WHITESPACE),
    st.sampled_from(INVISIBLE),
    st.sampled_from(LONE_SURROGATES),
    st.integers(min_value=0xD800, max_value=0xDFFF).map(chr),
    st.sampled_from(TRICKY),
)
"""A character, or a short sequence that renders as one (an emoji with joiners, a letter
with combining marks)."""


def pieces(max_size: int) -> st.SearchStrategy[str]:
    return st.lists(hostile_piece, max_size=max_size).map("".join)


huge_text = st.builds(
    lambda unit, count: unit * count,
    st.sampled_from(["ы", "1", " ", "/", "\ud800", "\u200b", "👍", "ё̈"]),
    st.integers(min_value=3_000, max_value=6_000),
)

hostile_text: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(ODD_COMMANDS),
    st.sampled_from(ODD_NUMBERS),
    st.text(st.sampled_from(WHITESPACE), min_size=1, max_size=12),
    pieces(40),
    st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(["/", "//", "/start", "/help ", "/find ", "/ticket ", "!"]),
        pieces(20),
    ),
    huge_text,
)
"""Texts a reader or staff member might send, from odd to malicious."""

PAYLOAD_ACTIONS = (
    "menu",
    "consent",
    "lang",
    "forget",
    "privacy",
    "form",
    "start",
    "ask",
    "tk",
    "ln",
    "lr",
)

forged_payload: st.SearchStrategy[str] = st.one_of(
    pieces(40),
    st.builds(
        ":".join,
        st.lists(
            st.one_of(
                st.sampled_from(PAYLOAD_ACTIONS),
                st.sampled_from(
                    (
                        *("yes", "no", "show", "rate", "add", "cancel", "send", "back", "one"),
                        *("page", "due", "dueall", "set", "off", "on"),
                    )
                ),
                st.sampled_from(ODD_NUMBERS),
                pieces(6),
            ),
            min_size=1,
            max_size=6,
        ),
    ),
    st.sampled_from(("", ":", "::::", "menu:", ":menu", "x" * 300, "menu:../../etc")),
)
"""Button payloads no button of the bot carries, as a modified client could send them."""
