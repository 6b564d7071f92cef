"""The clients of the library's circulation system (ILS), behind ``handlers.loans.ils.Ils``."""

from __future__ import annotations

from bot.ils.demo import DemoIls
from bot.settings import IlsBackend, Settings, SettingsError
from handlers.loans.ils import Ils
from storage.types import Clock, utcnow


def build_ils(settings: Settings, clock: Clock = utcnow) -> Ils | None:
    """The client ``ILS_BACKEND`` names; None for ``manual``, where staff renew by hand."""
    backend = settings.ils_backend
    if backend is IlsBackend.MANUAL:
        return None
    if backend is IlsBackend.DEMO:
        return DemoIls(clock)
    # MERGE: the Koha and SIP2 clients are built on their own branches; at merge this line
    # becomes the two calls that build them (koha_from_settings, and the SIP2 client).
    raise SettingsError(f"ILS_BACKEND={backend}: not built in this branch")
