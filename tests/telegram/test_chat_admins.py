"""``is_chat_admin`` asks getChatMember and remembers the answer for a while."""

from __future__ import annotations

import pytest
from aiogram import Bot

from bot.playground.platforms.telegram_server import FakeTelegramServer, FakeUser
from bot.telegram import TelegramMessenger
from handlers.core.messenger import PermanentError
from storage.models import Address, Platform, StaffMember

STAFF_CHAT_ID = -1001700
STAFF_CHAT = Address(Platform.TELEGRAM, STAFF_CHAT_ID)


@pytest.mark.parametrize(
    ("status", "is_admin"),
    [
        ("creator", True),
        ("administrator", True),
        ("member", False),
        ("restricted", False),
        ("left", False),
        ("kicked", False),
    ],
)
async def test_creators_and_administrators_are_admins(
    server: FakeTelegramServer, messenger: TelegramMessenger, status: str, is_admin: bool
) -> None:
    server.set_member_status(STAFF_CHAT_ID, 31, status)

    assert await messenger.is_chat_admin(STAFF_CHAT, 31) is is_admin


async def test_answers_are_cached_per_chat_and_user(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    server.set_member_status(STAFF_CHAT_ID, 31, "administrator")

    for _ in range(3):
        assert await messenger.is_chat_admin(STAFF_CHAT, 31)
    assert not await messenger.is_chat_admin(STAFF_CHAT, 32)
    server.set_member_status(STAFF_CHAT_ID, 31, "member")

    assert await messenger.is_chat_admin(STAFF_CHAT, 31)
    assert len(server.calls_of("getChatMember")) == 2


async def test_a_demotion_is_seen_once_the_cache_expires(
    server: FakeTelegramServer, bot: Bot
) -> None:
    messenger = TelegramMessenger(bot, admin_cache_ttl=0)
    server.set_member_status(STAFF_CHAT_ID, 31, "administrator")
    assert await messenger.is_chat_admin(STAFF_CHAT, 31)

    server.set_member_status(STAFF_CHAT_ID, 31, "member")

    assert not await messenger.is_chat_admin(STAFF_CHAT, 31)


async def test_a_failed_check_answers_no_and_is_not_remembered(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    server.set_member_status(STAFF_CHAT_ID, 31, "creator")
    server.break_next(STAFF_CHAT_ID)

    assert not await messenger.is_chat_admin(STAFF_CHAT, 31)
    assert await messenger.is_chat_admin(STAFF_CHAT, 31)


async def test_the_admin_list_names_the_people_and_leaves_out_bots(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    server.name_user(FakeUser(31, "Мария", "Иванова"))
    server.name_user(FakeUser(32, "Пётр"))
    server.name_user(FakeUser(33, "Helper", is_bot=True))
    server.set_member_status(STAFF_CHAT_ID, 31, "creator")
    server.set_member_status(STAFF_CHAT_ID, 32, "administrator")
    server.set_member_status(STAFF_CHAT_ID, 33, "administrator")
    server.set_member_status(STAFF_CHAT_ID, 34, "member")

    admins = await messenger.chat_admins(STAFF_CHAT)

    assert admins == [
        StaffMember(Platform.TELEGRAM, 31, "Мария Иванова"),
        StaffMember(Platform.TELEGRAM, 32, "Пётр"),
    ]
    assert await messenger.is_chat_admin(STAFF_CHAT, 32)
    assert server.calls_of("getChatMember") == []


async def test_a_refused_admin_list_raises(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    server.fail_next(STAFF_CHAT_ID, status=400, method="getChatAdministrators")

    with pytest.raises(PermanentError):
        await messenger.chat_admins(STAFF_CHAT)
