"""Loan renewal through Koha's REST API (the ``koha`` backend)."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from bot.ils.koha.auth import BasicAuth, KohaAuth, OAuth2ClientCredentials
from bot.ils.koha.client import KohaIls
from bot.ils.koha.transport import KohaTransport, RetryPolicy, Sleep
from bot.settings import KohaAuth as KohaAuthMode
from bot.settings import Settings, SettingsError
from storage.types import Clock

__all__ = [
    "BasicAuth",
    "KohaAuth",
    "KohaIls",
    "KohaTransport",
    "OAuth2ClientCredentials",
    "RetryPolicy",
    "koha_from_settings",
]


def koha_from_settings(
    settings: Settings, *, clock: Clock, sleep: Sleep = asyncio.sleep
) -> KohaIls:
    """The Koha client the settings describe (SettingsError without KOHA_BASE_URL)."""
    if not settings.koha_configured:
        raise SettingsError("the Koha backend needs KOHA_BASE_URL (and the KOHA_AUTH credentials)")
    auth: KohaAuth
    if settings.koha_auth is KohaAuthMode.OAUTH2:
        auth = OAuth2ClientCredentials(
            settings.koha_client_id.get_secret_value().strip(),
            settings.koha_client_secret.get_secret_value().strip(),
            clock=clock,
        )
    else:
        auth = BasicAuth(
            settings.koha_basic_user.get_secret_value().strip(),
            settings.koha_basic_password.get_secret_value(),
        )
    transport = KohaTransport(
        settings.koha_base_url,
        auth,
        timeout=settings.koha_timeout_seconds,
        retry=RetryPolicy(retries=settings.koha_retries),
        sleep=sleep,
    )
    return KohaIls(
        transport,
        clock=clock,
        needs_pin=settings.koha_needs_pin,
        timezone=ZoneInfo(settings.library_timezone),
    )
