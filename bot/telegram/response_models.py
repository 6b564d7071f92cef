"""Keeping aiogram's response models of the calls the bot makes every turn alive."""

from __future__ import annotations

from typing import Any

from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageText,
    GetMe,
    GetUpdates,
    Response,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)

_HOT_METHODS: tuple[type[TelegramMethod[Any]], ...] = (
    GetUpdates,
    SendMessage,
    SendPhoto,
    SendDocument,
    EditMessageText,
    AnswerCallbackQuery,
    DeleteMessage,
    GetMe,
)
_pinned: dict[object, type[Response[Any]]] = {}


def pin_response_models() -> None:
    """Hold on to ``Response[T]`` for the results of the hot calls.

    aiogram parses each answer with ``Response[T]``, a pydantic generic model, looked up
    anew on every call. Pydantic keeps its parametrised models only by weak reference, so
    when a garbage collection drops one, the next call builds its schema again (several ms
    for ``Response[Message]``, on the turn's own path; seen in the ingest benchmark's
    profile). A strong reference here makes the lookup always hit.
    """
    for method in _HOT_METHODS:
        returning = method.__returning__
        if returning not in _pinned:
            _pinned[returning] = Response[returning]  # type: ignore[valid-type]
