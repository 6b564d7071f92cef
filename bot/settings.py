"""Settings from the environment and ``.env`` (every variable is explained in .env.example)."""

from __future__ import annotations

import codecs
from datetime import time
from enum import StrEnum
from ipaddress import ip_address
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.arrivals.subject_settings import load_subjects
from bot.crontab import crontab_trigger
from storage.models import Address, Platform


class TelegramMode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class VkMode(StrEnum):
    LONGPOLL = "longpoll"
    CALLBACK = "callback"


class KohaAuth(StrEnum):
    OAUTH2 = "oauth2"
    BASIC = "basic"


class IlsBackend(StrEnum):
    """Where loans are renewed: by staff (``manual``), or in the library's circulation system."""

    MANUAL = "manual"
    KOHA = "koha"
    SIP2 = "sip2"
    DEMO = "demo"


class SettingsError(Exception):
    """The configuration cannot start the bot; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr = SecretStr("")
    telegram_api_base: str = "https://api.telegram.org"
    telegram_mode: TelegramMode = TelegramMode.POLLING
    telegram_webhook_url: str = ""
    telegram_webhook_secret: SecretStr = SecretStr("")

    vk_group_token: SecretStr = SecretStr("")
    vk_group_id: int | None = None
    vk_api_base: str = "https://api.vk.ru/method/"
    vk_api_version: str = "5.199"
    vk_mode: VkMode = VkMode.LONGPOLL
    vk_callback_secret: SecretStr = SecretStr("")
    vk_confirmation_code: str = ""

    telegram_channel: str = ""
    vk_user_token: SecretStr = SecretStr("")
    digest_cron: str = "0 10 * * mon,thu"
    digest_approval: bool = False
    digest_grace_minutes: int = Field(default=360, ge=1, le=10_080)
    digest_first_days: int = Field(default=7, ge=1, le=365)
    calendar_post_time: time = time(10, 0)

    web_host: str = "0.0.0.0"
    web_port: int = Field(default=8080, ge=0, le=65535)

    database_url: SecretStr = SecretStr("sqlite+aiosqlite:///./data/bot.sqlite3")

    library_name: str = "Научная медицинская библиотека"
    library_timezone: str = "Europe/Moscow"
    library_working_hours: str = "Пн–Пт 09:00–18:00"
    library_contacts: str = ""
    default_language: Literal["ru", "en"] = "ru"
    library_working_days: Annotated[frozenset[int], NoDecode] = frozenset({0, 1, 2, 3, 4})
    library_opens: time = time(9, 0)
    library_closes: time = time(18, 0)
    holidays_country: str = "RU"

    deadline_thematic_days: int = Field(default=3, ge=1, le=60)
    deadline_address_days: int = Field(default=1, ge=1, le=60)
    deadline_clarifying_days: int = Field(default=1, ge=1, le=60)
    deadline_factographic_days: int = Field(default=1, ge=1, le=60)
    deadline_other_days: int = Field(default=1, ge=1, le=60)
    daily_request_limit: int = Field(default=5, ge=1, le=1000)
    thematic_max_titles: int = Field(default=10, ge=1, le=500)
    auto_close_days: int = Field(default=7, ge=1, le=365)
    untaken_reminder_minutes: int = Field(default=120, ge=5, le=10_080)
    note_prefix: str = Field(default="!", min_length=1, max_length=5)

    ils_backend: IlsBackend = IlsBackend.MANUAL
    loan_reminder_days: int = Field(default=3, ge=1, le=30)
    loan_reminder_time: time = time(10, 0)

    staff_chat: Annotated[Address | None, NoDecode] = None
    staff_user_ids: Annotated[list[Address], NoDecode] = Field(default_factory=list)

    retention_days: int = Field(default=365, ge=1)
    max_text_length: int = Field(default=4000, ge=100, le=100_000)
    flood_burst: int = Field(default=20, ge=1)
    flood_period_seconds: float = Field(default=60.0, gt=0)
    outbox_lease_seconds: float = Field(default=120.0, ge=1, le=3600)
    log_level: str = "INFO"

    arrivals_feed_url: str = ""
    arrivals_feed_interval_minutes: int = Field(default=60, ge=5, le=10_080)
    arrivals_feed_cron: str = ""
    arrivals_feed_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    arrivals_import_max_mb: int = Field(default=20, ge=1, le=2000)
    arrivals_subjects_file: str = ""
    arrivals_digest_interval_minutes: int = Field(default=15, ge=1, le=1440)
    arrivals_weekly_digest_weekday: int = Field(default=1, ge=1, le=7)
    arrivals_weekly_digest_time: time = time(10, 0)
    # Operations: health, metrics, several processes (see the README's "Operations").
    readiness_outbox_max_age_seconds: float = Field(default=300.0, gt=0)
    """/readyz turns unready when the oldest due outbox row has waited longer than this."""
    redis_url: SecretStr = SecretStr("")
    """When set, the per-token rate limits are shared through Redis; otherwise, on PostgreSQL,
    through the database; on SQLite the limiter stays in process."""
    scheduler_lock_retry_seconds: float = Field(default=15.0, gt=0, le=60)
    """How often a process without the scheduler lock tries to take it over."""

    @field_validator("vk_group_id", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("staff_chat", mode="before")
    @classmethod
    def _parse_staff_chat(cls, value: object) -> Address | None:
        if value is None or isinstance(value, Address):
            return value
        text = str(value).strip()
        return parse_address(text) if text else None

    @field_validator("staff_user_ids", mode="before")
    @classmethod
    def _parse_staff_users(cls, value: object) -> list[Address]:
        if isinstance(value, list):
            return [v if isinstance(v, Address) else parse_address(str(v)) for v in value]
        text = str(value or "").strip()
        return [parse_address(part) for part in text.split(",") if part.strip()]

    @field_validator("library_working_days", mode="before")
    @classmethod
    def _parse_weekdays(cls, value: object) -> frozenset[int]:
        """``1-5`` or ``1,2,3,4,5,6`` (Monday is 1) → weekday numbers with Monday as 0."""
        if isinstance(value, frozenset | set):
            return frozenset(value)
        days: set[int] = set()
        for part in str(value).replace(" ", "").split(","):
            if not part:
                continue
            first, _, last = part.partition("-")
            try:
                start, end = int(first), int(last or first)
            except ValueError:
                raise ValueError(
                    f"{value!r}: write weekdays as 1-5 or 1,2,3 (Monday is 1)"
                ) from None
            if not 1 <= start <= end <= 7:
                raise ValueError(f"{value!r}: weekdays go from 1 (Monday) to 7 (Sunday)")
            days.update(range(start - 1, end))
        if not days:
            raise ValueError("at least one working day is needed")
        return frozenset(days)

    @field_validator("arrivals_subjects_file")
    @classmethod
    def _check_subjects(cls, value: str) -> str:
        load_subjects(value)
        return value

    @field_validator("arrivals_feed_cron")
    @classmethod
    def _check_cron(cls, value: str) -> str:
        if value.strip():
            crontab_trigger(value, "UTC")
        return value

    @field_validator("library_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}, use a name like Europe/Moscow"
            ) from None
        return value

    @field_validator("digest_cron")
    @classmethod
    def _check_digest_cron(cls, value: str) -> str:
        try:
            crontab_trigger(value, "UTC")
        except ValueError:
            raise ValueError(
                f"{value!r} is not a cron expression; write it as minute hour day month "
                "weekday, e.g. 0 10 * * mon,thu"
            ) from None
        return value

    @model_validator(mode="after")
    def _check_modes(self) -> Settings:
        if self.library_opens >= self.library_closes:
            raise ValueError("LIBRARY_OPENS must be earlier than LIBRARY_CLOSES")
        if self.telegram_enabled and self.telegram_mode is TelegramMode.WEBHOOK:
            if not self.telegram_webhook_url:
                raise ValueError("TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_URL")
            if not self.telegram_webhook_secret.get_secret_value():
                raise ValueError("TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET")
        if self.vk_enabled:
            if self.vk_group_id is None:
                raise ValueError("VK_GROUP_TOKEN is set, so VK_GROUP_ID must be set too")
            if self.vk_mode is VkMode.CALLBACK and not (
                self.vk_confirmation_code and self.vk_callback_secret.get_secret_value()
            ):
                raise ValueError(
                    "VK_MODE=callback needs VK_CONFIRMATION_CODE and VK_CALLBACK_SECRET"
                )
        return self

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token.get_secret_value().strip())

    @property
    def vk_enabled(self) -> bool:
        return bool(self.vk_group_token.get_secret_value().strip())

    @property
    def channel_enabled(self) -> bool:
        return self.telegram_enabled and bool(self.telegram_channel.strip())

    @property
    def wall_enabled(self) -> bool:
        return self.vk_group_id is not None and bool(self.vk_user_token.get_secret_value().strip())

    # --- SIP2: the loans backend speaking 3M SIP2 to the library's circulation system --------
    # Used when the loans feature's ILS backend is sip2. The bot is one self-check terminal (an
    # SC account) of the ILS; the admin creates that account and tells these values.
    sip2_host: str = ""
    sip2_port: int = Field(default=6001, ge=1, le=65535)
    sip2_tls: bool = False
    """TLS around the SIP2 connection (a stunnel or the server's own TLS port)."""
    sip2_ca_file: str = ""
    """The CA certificate (PEM) that signed the server's certificate; empty: the system's CAs."""
    sip2_login_user: SecretStr = SecretStr("")
    """CN of the 93 Login; empty when the server takes no login."""
    sip2_login_password: SecretStr = SecretStr("")
    sip2_location_code: str = ""
    """CP of the 93 Login: the terminal's location code."""
    sip2_institution_id: str = ""
    """AO, sent in every request."""
    sip2_terminal_password: SecretStr = SecretStr("")
    """AC, sent in every request when set."""
    sip2_charset: str = "cp1251"
    sip2_checksums: bool = False
    """AY sequence numbers and AZ checksums (the server's error detection must match)."""
    sip2_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    sip2_retries: int = Field(default=2, ge=0, le=10)
    """Attempts after the first on a broken connection, each on a new connection."""
    sip2_needs_pin: bool = True
    """Linking a card asks for the reader's PIN and checks it with the server (AD → CQ)."""
    sip2_sc_status: bool = False
    """Send 99 SC Status after connecting: refuses an offline server, learns if 65 is there."""

    @field_validator("sip2_charset")
    @classmethod
    def _check_sip2_charset(cls, value: str) -> str:
        try:
            name = codecs.lookup(value).name
        except LookupError:
            raise ValueError(f"unknown character set {value!r}, use a name like cp1251") from None
        probe = "AZaz09|"
        try:
            ascii_safe = probe.encode(name) == probe.encode("ascii")
        except UnicodeError:
            ascii_safe = False
        if not ascii_safe:
            raise ValueError(f"character set {value!r} does not keep ASCII as is (SIP2 needs it)")
        return name

    # --- Koha REST API (the "koha" loan renewal backend) -----------------------------------
    # Where Koha serves /api/v1 (its staff interface host). Empty: Koha is not configured.
    koha_base_url: str = ""
    # How the bot's own API account signs in: OAuth2 client credentials or HTTP basic auth.
    koha_auth: KohaAuth = KohaAuth.OAUTH2
    koha_client_id: SecretStr = SecretStr("")
    koha_client_secret: SecretStr = SecretStr("")
    koha_basic_user: SecretStr = SecretStr("")
    koha_basic_password: SecretStr = SecretStr("")
    # Whether linking a card asks the reader for their Koha password (OPAC password or PIN).
    koha_needs_pin: bool = True
    # Seconds one request may take, and how many times a network error or 5xx is retried.
    koha_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    koha_retries: int = Field(default=2, ge=0, le=10)

    @field_validator("koha_base_url")
    @classmethod
    def _check_koha_url(cls, value: str) -> str:
        url = value.strip().rstrip("/")
        if not url:
            return ""
        problem = koha_url_problem(url)
        if problem:
            raise ValueError(problem)
        return url

    @model_validator(mode="after")
    def _check_koha_credentials(self) -> Settings:
        if not self.koha_configured:
            return self
        if self.koha_auth is KohaAuth.OAUTH2:
            if not (_filled(self.koha_client_id) and _filled(self.koha_client_secret)):
                raise ValueError(
                    "KOHA_AUTH=oauth2 needs KOHA_CLIENT_ID and KOHA_CLIENT_SECRET "
                    "(an API key of the bot's Koha account)"
                )
        elif not (_filled(self.koha_basic_user) and _filled(self.koha_basic_password)):
            raise ValueError("KOHA_AUTH=basic needs KOHA_BASIC_USER and KOHA_BASIC_PASSWORD")
        return self

    @property
    def koha_configured(self) -> bool:
        return bool(self.koha_base_url)


def _filled(secret: SecretStr) -> bool:
    return bool(secret.get_secret_value().strip())


def koha_url_problem(url: str) -> str | None:
    """Why a Koha base URL is unusable, or None: it must be https, or http on this machine.

    Credentials and readers' passwords travel to it, so plain http is allowed only to a
    loopback address (a reverse proxy or an SSH tunnel on the same host).
    """
    parts = urlsplit(url)
    if "@" in parts.netloc:
        # Not echoed: the part before @ would be a password.
        return "the address must not hold a user name or password (see KOHA_AUTH)"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not a URL; write it as https://koha.example.org"
    if parts.query or parts.fragment:
        return f"{url!r}: give the address only, without ?query or #fragment"
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        return f"{url!r}: use https (plain http is allowed only to 127.0.0.1 or localhost)"
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def parse_address(text: str) -> Address:
    """``telegram:-1001234`` or ``vk:2000000001`` → Address."""
    platform, _, peer = text.strip().partition(":")
    try:
        return Address(Platform(platform.lower()), int(peer))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a chat address; write it as telegram:<chat id> or vk:<peer id>"
        ) from None


def load_settings(require_platform: bool = True) -> Settings:
    """Read and check the settings; raise SettingsError with one readable line if unusable."""
    try:
        settings = Settings()
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None
    if require_platform and not (settings.telegram_enabled or settings.vk_enabled):
        raise SettingsError(
            "No platform is configured: set TELEGRAM_BOT_TOKEN and/or VK_GROUP_TOKEN "
            "(with VK_GROUP_ID) in the environment or in .env, "
            "or try the bot without tokens: python -m bot playground"
        )
    return settings


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]).upper()
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{field}: {message}" if field else message)
    return "Invalid settings: " + "; ".join(parts)
