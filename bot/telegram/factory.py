"""Building an aiogram ``Bot`` the way the application needs it."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.types import LinkPreviewOptions
from pydantic import SecretStr

from bot.ratelimit import Limiter
from bot.telegram.lean_session import LeanAiohttpSession
from bot.telegram.redaction import redact_token_in_logs
from bot.telegram.response_models import pin_response_models
from bot.telegram.throttling import ThrottlingMiddleware


def create_bot(
    token: str | SecretStr,
    limiter: Limiter,
    *,
    api_base: str | None = None,
    max_attempts: int = 3,
    max_wait: float = 30.0,
    timeout: float = 60.0,
) -> Bot:
    """A ``Bot`` whose every call goes through :class:`ThrottlingMiddleware` on ``limiter``.

    ``limiter`` must be the one shared by everything that uses this token in this process.
    ``api_base`` points at a local Bot API server or a test fake (``TELEGRAM_API_BASE``);
    ``None`` means api.telegram.org. No parse mode is set: every text is sent as plain text,
    so a reader's ``<b>`` or ``*`` is never read as markup. Link previews are off through
    ``link_preview_options``, the Bot API 7.0 parameter that replaced
    ``disable_web_page_preview``. A sent text's ``Message`` carries only what the bot reads
    of it (see :class:`LeanAiohttpSession`).
    """
    raw_token = token.get_secret_value() if isinstance(token, SecretStr) else token
    redact_token_in_logs(raw_token)
    pin_response_models()
    api = TelegramAPIServer.from_base(api_base) if api_base else PRODUCTION
    session = LeanAiohttpSession(api=api, timeout=timeout)
    session.middleware(ThrottlingMiddleware(limiter, max_attempts=max_attempts, max_wait=max_wait))
    return Bot(
        token=raw_token,
        session=session,
        default=DefaultBotProperties(
            parse_mode=None, link_preview=LinkPreviewOptions(is_disabled=True)
        ),
    )
