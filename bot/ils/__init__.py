"""The clients of the library's circulation system (ILS), behind ``handlers.loans.ils.Ils``."""

from __future__ import annotations

from bot.settings import IlsBackend, Settings, SettingsError
from handlers.loans.ils import Ils
from storage.types import Clock, utcnow


def build_ils(settings: Settings, clock: Clock = utcnow) -> Ils | None:
    """The client ``ILS_BACKEND`` names; None for ``manual``, where staff renew by hand.

    Only the named backend's modules are imported, as with the platforms: a bot that renews
    by hand does not keep the Koha and SIP2 clients in memory.
    """
    backend = settings.ils_backend
    if backend is IlsBackend.MANUAL:
        return None
    if backend is IlsBackend.DEMO:
        from bot.ils.demo import DemoIls

        return DemoIls(clock)
    if backend is IlsBackend.KOHA:
        from bot.ils.koha import koha_from_settings

        return koha_from_settings(settings, clock=clock)
    if not settings.sip2_host:
        raise SettingsError("the SIP2 backend needs SIP2_HOST (and SIP2_PORT)")
    from bot.ils.sip2.client import Sip2Ils
    from bot.ils.sip2.config import Sip2Config

    return Sip2Ils(Sip2Config.from_settings(settings), clock=clock)
