"""``python -m bot check`` as an administrator runs it: a real process against the fake
platforms and a real database file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.playground.platforms.telegram_server import BOT_ID, FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from storage.migrate import upgrade
from tests.support.processes import bot_command, bot_environment

STAFF_CHAT_ID = -1001234567890
VK_GROUP_ID = 4242


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int
    output: str


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as fake:
        fake.set_member_status(STAFF_CHAT_ID, BOT_ID, "administrator")
        yield fake


@pytest.fixture
async def vk() -> AsyncIterator[FakeVkServer]:
    async with FakeVkServer(group_id=VK_GROUP_ID) as fake:
        yield fake


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await upgrade(url)
    return url


async def check(
    database_url: str, telegram: FakeTelegramServer, vk: FakeVkServer, **variables: str
) -> Outcome:
    environment = bot_environment(
        database_url, telegram, vk, STAFF_CHAT=f"telegram:{STAFF_CHAT_ID}", **variables
    )
    process = await asyncio.create_subprocess_exec(
        *bot_command("check"),
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    stdout, _ = await process.communicate()
    assert process.returncode is not None
    output = stdout.decode()
    # Whatever happens, no token, secret or password is printed.
    for secret in (telegram.token, vk.token, variables.get("TELEGRAM_BOT_TOKEN", telegram.token)):
        assert secret not in output
    return Outcome(process.returncode, output)


def line(output: str, start: str) -> str:
    found = [text for text in output.splitlines() if text.startswith(start)]
    assert found, f"no line starting with {start!r} in:\n{output}"
    return found[0]


def fix_after(output: str, start: str) -> str:
    lines = output.splitlines()
    index = lines.index(line(output, start))
    assert lines[index + 1].strip().startswith("Fix: "), output
    return lines[index + 1]


async def test_a_good_configuration_passes(
    database_url: str, telegram: FakeTelegramServer, vk: FakeVkServer
) -> None:
    outcome = await check(database_url, telegram, vk)

    assert outcome.status == 0, outcome.output
    assert "FAIL" not in outcome.output
    for start in (
        "[ ok ] Database reachable",
        "[ ok ] Database migrated",
        "[ ok ] Telegram token: the bot is @library_test_bot",
        "[ ok ] Telegram webhook",
        "[ ok ] Telegram staff chat: the bot is an admin",
        "[ ok ] VK token",
        "[ ok ] VK community messages",
        "[ ok ] VK bot features",
        "[ ok ] VK Long Poll: on",
        "[ ok ] VK Long Poll events",
    ):
        line(outcome.output, start)


async def test_a_bad_telegram_token_is_named_with_its_fix(
    database_url: str, telegram: FakeTelegramServer, vk: FakeVkServer
) -> None:
    wrong = "987654321:AAE-wrong-token-of-a-colleague-000000"
    outcome = await check(database_url, telegram, vk, TELEGRAM_BOT_TOKEN=wrong)

    assert outcome.status == 1
    assert "refused the token" in line(outcome.output, "[FAIL] Telegram token")
    assert "@BotFather" in fix_after(outcome.output, "[FAIL] Telegram token")
    assert wrong not in outcome.output
    line(outcome.output, "[ ok ] VK token")


async def test_a_bot_that_is_not_an_admin_of_the_staff_chat_is_named(
    database_url: str, telegram: FakeTelegramServer, vk: FakeVkServer
) -> None:
    telegram.set_member_status(STAFF_CHAT_ID, BOT_ID, "member")

    outcome = await check(database_url, telegram, vk)

    assert outcome.status == 1
    assert "is not an admin" in line(outcome.output, "[FAIL] Telegram staff chat")
    assert "Administrators" in fix_after(outcome.output, "[FAIL] Telegram staff chat")


async def test_a_forum_staff_chat_needs_topic_rights(
    database_url: str, telegram: FakeTelegramServer, vk: FakeVkServer
) -> None:
    telegram.forum_chat(STAFF_CHAT_ID)
    outcome = await check(database_url, telegram, vk)
    assert outcome.status == 0, outcome.output
    line(outcome.output, "[ ok ] Telegram staff chat: the bot is an admin")


async def test_an_unmigrated_database_is_named_with_its_fix(
    tmp_path: Path, telegram: FakeTelegramServer, vk: FakeVkServer
) -> None:
    empty = f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"

    outcome = await check(empty, telegram, vk)

    assert outcome.status == 1
    assert "no revision" in line(outcome.output, "[FAIL] Database migrated")
    assert "python -m bot migrate" in fix_after(outcome.output, "[FAIL] Database migrated")


async def test_an_unreachable_database_hides_its_password(
    database_url: str, telegram: FakeTelegramServer, vk: FakeVkServer
) -> None:
    url = "postgresql+asyncpg://library:s3cret-pass@127.0.0.1:9/bot"

    outcome = await check(url, telegram, vk)

    assert outcome.status == 1
    assert "cannot connect" in line(outcome.output, "[FAIL] Database")
    assert "s3cret-pass" not in outcome.output


async def test_a_vk_community_without_long_poll_is_named_with_its_fix(
    database_url: str, telegram: FakeTelegramServer, vk: FakeVkServer
) -> None:
    vk.long_poll_enabled = False

    outcome = await check(database_url, telegram, vk)

    assert outcome.status == 1
    assert "off" in line(outcome.output, "[FAIL] VK Long Poll")
    assert "Long Poll API" in fix_after(outcome.output, "[FAIL] VK Long Poll")


async def test_missing_vk_events_bot_features_and_messages_are_named(
    database_url: str, telegram: FakeTelegramServer, vk: FakeVkServer
) -> None:
    vk.long_poll_events = {"message_new"}
    vk.bot_features = False
    vk.token_permissions = {"manage"}

    outcome = await check(database_url, telegram, vk)

    assert outcome.status == 1
    assert "message_event" in line(outcome.output, "[FAIL] VK Long Poll events")
    line(outcome.output, "[FAIL] VK bot features")
    line(outcome.output, "[FAIL] VK community messages")


async def test_webhook_mode_reports_an_address_telegram_cannot_use(
    database_url: str, telegram: FakeTelegramServer, vk: FakeVkServer
) -> None:
    outcome = await check(
        database_url,
        telegram,
        vk,
        TELEGRAM_MODE="webhook",
        TELEGRAM_WEBHOOK_URL="http://bot.library.example:8080/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET="webhook-secret-123",
    )

    assert outcome.status == 1
    line(outcome.output, "[FAIL] Telegram webhook address")
    line(outcome.output, "[warn] Telegram webhook: not registered yet")
    assert "webhook-secret-123" not in outcome.output
