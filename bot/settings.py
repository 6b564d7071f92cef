"""Settings from the environment and ``.env`` (every variable is explained in .env.example)."""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.models import Address, Platform


class TelegramMode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class VkMode(StrEnum):
    LONGPOLL = "longpoll"
    CALLBACK = "callback"


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

    staff_chat: Annotated[Address | None, NoDecode] = None
    staff_user_ids: Annotated[list[Address], NoDecode] = Field(default_factory=list)

    retention_days: int = Field(default=365, ge=1)
    max_text_length: int = Field(default=4000, ge=100, le=100_000)
    flood_burst: int = Field(default=20, ge=1)
    flood_period_seconds: float = Field(default=60.0, gt=0)
    outbox_lease_seconds: float = Field(default=120.0, ge=1, le=3600)
    log_level: str = "INFO"

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
            "(with VK_GROUP_ID) in the environment or in .env"
        )
    return settings


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]).upper()
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{field}: {message}" if field else message)
    return "Invalid settings: " + "; ".join(parts)
