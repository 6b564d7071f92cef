"""The SIP2 backend: a self-check (SC) client of the library's circulation system (ACS)."""

from bot.ils.sip2.client import LoginRefused, Sip2Ils
from bot.ils.sip2.config import Sip2Config

__all__ = ["LoginRefused", "Sip2Config", "Sip2Ils"]
