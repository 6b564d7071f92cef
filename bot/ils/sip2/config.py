"""How to reach the library's SIP2 server, from the ``SIP2_*`` settings."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field

from bot.settings import Settings


@dataclass(frozen=True, slots=True)
class Sip2Config:
    host: str
    port: int
    institution_id: str = ""
    """AO, sent in every request; many servers accept it empty."""
    location_code: str = ""
    """CP in the login: the terminal's location as the ILS admin set it up."""
    login_user: str = ""
    """CN; empty means the server needs no 93 Login."""
    login_password: str = field(default="", repr=False)
    terminal_password: str = field(default="", repr=False)
    tls: bool = False
    ca_file: str = ""
    """A CA bundle that signed the server's certificate; empty trusts the system's CAs."""
    charset: str = "cp1251"
    error_detection: bool = False
    """AY sequence numbers and AZ checksums on every message."""
    timeout: float = 10.0
    retries: int = 2
    """Further attempts after the first, each on a new connection."""
    needs_pin: bool = True
    sc_status: bool = False
    """Send 99 SC Status after connecting: checks the server is online, learns what it supports."""
    timezone: str = "Europe/Moscow"

    @classmethod
    def from_settings(cls, settings: Settings) -> Sip2Config:
        return cls(
            host=settings.sip2_host,
            port=settings.sip2_port,
            institution_id=settings.sip2_institution_id,
            location_code=settings.sip2_location_code,
            login_user=settings.sip2_login_user.get_secret_value(),
            login_password=settings.sip2_login_password.get_secret_value(),
            terminal_password=settings.sip2_terminal_password.get_secret_value(),
            tls=settings.sip2_tls,
            ca_file=settings.sip2_ca_file,
            charset=settings.sip2_charset,
            error_detection=settings.sip2_checksums,
            timeout=settings.sip2_timeout_seconds,
            retries=settings.sip2_retries,
            needs_pin=settings.sip2_needs_pin,
            sc_status=settings.sip2_sc_status,
            timezone=settings.library_timezone,
        )

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.tls:
            return None
        return ssl.create_default_context(cafile=self.ca_file or None)
