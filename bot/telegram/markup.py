"""Rendering neutral replies' parts as Telegram objects."""

from __future__ import annotations

from functools import lru_cache

from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from handlers.core.events import Attachment, AttachmentKind
from handlers.core.messenger import PermanentError
from handlers.core.replies import Button
from storage.models import Platform

CALLBACK_DATA_LIMIT = 64
# Distinct keyboards kept built: menus repeat in every language, ticket buttons vary.
KEYBOARDS_KEPT = 512


@lru_cache(maxsize=KEYBOARDS_KEPT)
def inline_keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """An inline keyboard whose buttons carry their payloads as callback data.

    Kept once built: most answers carry one of a few keyboards, and validating the pydantic
    models anew was a visible part of each send. The key is every button's text and payload,
    so a reader only ever gets a keyboard built from their own answer's buttons. aiogram's
    keyboard objects are mutable pydantic models and one instance serves every send with the
    same buttons: never change one after it is returned.
    """
    keyboard = [
        [
            InlineKeyboardButton(text=button.text, callback_data=_callback_data(button))
            for button in row
        ]
        for row in rows
        if row
    ]
    return InlineKeyboardMarkup(inline_keyboard=keyboard) if keyboard else None


def _callback_data(button: Button) -> str:
    size = len(button.payload.encode("utf-8"))
    if not 1 <= size <= CALLBACK_DATA_LIMIT:
        raise PermanentError(
            f"button payload is {size} bytes; Telegram allows 1 to {CALLBACK_DATA_LIMIT}"
        )
    return button.payload


def input_file(attachment: Attachment) -> str | BufferedInputFile:
    """A Telegram ``file_id`` to reuse, or the bytes to upload.

    A ``ref`` is only reused when it came from Telegram: another platform's handle means
    nothing here.
    """
    if attachment.platform is Platform.TELEGRAM and attachment.ref:
        return attachment.ref
    if attachment.data:
        return BufferedInputFile(attachment.data, filename=_file_name(attachment))
    raise PermanentError("attachment has neither bytes nor a Telegram file_id")


def _file_name(attachment: Attachment) -> str:
    if attachment.file_name:
        return attachment.file_name
    return "photo.jpg" if attachment.kind is AttachmentKind.PHOTO else "file"
