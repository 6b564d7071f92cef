"""Text from a platform made safe to store, log and send back.

Telegram and VK send JSON, and a ``\\ud800`` escape in it decodes to a lone surrogate: a
Python string that cannot be encoded as UTF-8, so SQLite, PostgreSQL, log files and the
platforms' own APIs all refuse it. PostgreSQL also refuses NUL in text. Each such character
becomes U+FFFD, the Unicode replacement character, so the rest of the text is kept.
"""

from __future__ import annotations

REPLACEMENT = "\ufffd"


def well_formed(text: str) -> str:
    """``text`` with every lone surrogate and NUL replaced by U+FFFD.

    A surrogate pair split into two code points (as some decoders leave it) is joined into
    the one character it stands for.
    """
    if text.isascii():
        return text.replace("\x00", REPLACEMENT) if "\x00" in text else text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text.replace("\x00", REPLACEMENT)
