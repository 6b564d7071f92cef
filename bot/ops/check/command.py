"""Runs every check and prints the checklist; the exit status is 1 when anything failed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.ops.check.checklist import Item, Redactor, fail, failed, ok, render, skip
from bot.ops.check.database import check_database
from bot.ops.check.telegram import check_telegram
from bot.ops.check.vk import check_vk
from bot.settings import Settings

CHECK_TIMEOUT_SECONDS = 60.0


async def run_check(settings: Settings, print_line: Callable[[str], None] = print) -> int:
    redact = Redactor(_secrets(settings))
    items: list[Item] = []
    if not (settings.telegram_enabled or settings.vk_enabled):
        items.append(
            fail(
                "Platforms",
                "neither Telegram nor VK is configured",
                "set TELEGRAM_BOT_TOKEN and/or VK_GROUP_TOKEN with VK_GROUP_ID",
            )
        )
    checks: list[tuple[str, Callable[[], Awaitable[list[Item]]]]] = [
        ("Database", lambda: check_database(settings.database_url.get_secret_value())),
        ("Telegram", lambda: check_telegram(settings)),
        ("VK", lambda: check_vk(settings)),
        ("Redis", lambda: _check_redis(settings)),
    ]
    for name, check in checks:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                items += await check()
        except Exception as error:
            items.append(
                fail(
                    name,
                    f"the check itself failed ({type(error).__name__}: {error})",
                    "run it again; if it keeps failing, report it with this line",
                )
            )
    print_line(render(items, redact))
    bad = failed(items)
    print_line("" if not bad else "\nSomething needs fixing: see the lines marked FAIL.")
    return 1 if bad else 0


async def _check_redis(settings: Settings) -> list[Item]:
    url = settings.redis_url.get_secret_value()
    if not url:
        return [
            skip(
                "Redis",
                "REDIS_URL is not set: limits are shared through PostgreSQL (in process on SQLite)",
            )
        ]
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(url)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        return [
            fail(
                "Redis",
                f"does not answer ({type(error).__name__})",
                "check REDIS_URL and that Redis runs, or unset REDIS_URL",
            )
        ]
    finally:
        await client.aclose()
    return [ok("Redis", "answers")]


def _secrets(settings: Settings) -> list[str]:
    from sqlalchemy.engine import make_url

    values = [
        settings.telegram_bot_token.get_secret_value(),
        settings.telegram_webhook_secret.get_secret_value(),
        settings.vk_group_token.get_secret_value(),
        settings.vk_callback_secret.get_secret_value(),
        settings.redis_url.get_secret_value(),
    ]
    password = make_url(settings.database_url.get_secret_value()).password
    if password:
        values.append(str(password))
    return values
