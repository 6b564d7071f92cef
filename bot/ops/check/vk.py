"""The VK community token, its messages, bot features and Long Poll or Callback settings,
and a VK staff chat."""

from __future__ import annotations

from typing import Any

from vkbottle import VKAPIError

from bot.ops.check.checklist import Item, fail, ok, skip, warn
from bot.settings import Settings, VkMode
from bot.vk.api import VkApi
from handlers.core.messenger import DeliveryError
from storage.models import Platform

TOKEN = "VK token"
MESSAGES = "VK community messages"
BOTS = "VK bot features"
LONG_POLL = "VK Long Poll"
CALLBACK = "VK Callback API"
STAFF = "VK staff chat"
NEEDED_EVENTS = ("message_new", "message_event")
"""Readers' messages, and presses of callback buttons."""
BAD_TOKEN_CODES = frozenset({5, 27, 28})
NO_ACCESS_CODES = frozenset({7, 15, 27})
SETTINGS_PATH = "the community → Manage → Messages → Bot settings"


async def check_vk(settings: Settings) -> list[Item]:
    if not settings.vk_enabled:
        return [skip("VK", "VK_GROUP_TOKEN is not set")]
    group_id = settings.vk_group_id
    assert group_id is not None, "the settings require VK_GROUP_ID with a token"
    async with VkApi(
        settings.vk_group_token,
        base_url=settings.vk_api_base,
        version=settings.vk_api_version,
        timeout=20,
    ) as api:
        try:
            groups = await api.call("groups.getById", group_id=group_id)
        except VKAPIError as error:
            fix = (
                "create a new key in the community → Manage → API usage → Access tokens, with "
                "the «community messages» and «community management» permissions, and put it "
                "in VK_GROUP_TOKEN"
                if error.code in BAD_TOKEN_CODES
                else f"check VK_GROUP_ID (now {group_id})"
            )
            return [fail(TOKEN, f"VK refused it (error {error.code})", fix)]
        except DeliveryError as error:
            return [
                fail(
                    TOKEN,
                    f"VK did not answer ({error})",
                    f"check the network and VK_API_BASE (now {settings.vk_api_base})",
                )
            ]
        group = (groups.get("groups") or [{}])[0]
        if group.get("id") != group_id:
            return [
                fail(
                    TOKEN,
                    f"the token belongs to community {group.get('id')}, not {group_id}",
                    "set VK_GROUP_ID to the community the token was created in",
                )
            ]
        items = [ok(TOKEN, f"community «{group.get('name', '')}»")]
        items.append(await _messages(api))
        items.append(await _bot_features(api, group_id))
        if settings.vk_mode is VkMode.LONGPOLL:
            items += await _long_poll(api, group_id, settings.vk_api_version)
        else:
            items.append(await _callback(api, group_id, settings.vk_confirmation_code))
        items += await _staff_chat(api, settings)
        return items


async def _messages(api: VkApi) -> Item:
    answer = await api.call("groups.getTokenPermissions")
    names = {p.get("name") for p in answer.get("permissions") or [] if isinstance(p, dict)}
    if "messages" in names:
        return ok(MESSAGES, "the token may read and send them")
    return fail(
        MESSAGES,
        "the token lacks the «community messages» permission",
        "turn messages on in the community → Manage → Messages, then create a token with "
        "the «community messages» permission (Manage → API usage) for VK_GROUP_TOKEN",
    )


async def _bot_features(api: VkApi, group_id: int) -> Item:
    try:
        answer = await api.call("groups.getSettings", group_id=group_id)
    except VKAPIError as error:
        if error.code not in NO_ACCESS_CODES:
            raise
        return warn(
            BOTS,
            f"VK does not show them to this token (error {error.code})",
            f"check by hand: {SETTINGS_PATH} → «Bot features» on",
        )
    if answer.get("bots_capabilities"):
        return ok(BOTS, "on")
    return fail(
        BOTS,
        "off: readers get no buttons",
        f"turn on {SETTINGS_PATH} → «Bot features»",
    )


async def _long_poll(api: VkApi, group_id: int, version: str) -> list[Item]:
    answer: dict[str, Any] = await api.call("groups.getLongPollSettings", group_id=group_id)
    path = "the community → Manage → API usage → Long Poll API"
    if not answer.get("is_enabled"):
        return [
            fail(
                LONG_POLL,
                "off, so the bot receives nothing",
                f"turn it on in {path}, or set VK_MODE=callback",
            )
        ]
    items = [ok(LONG_POLL, "on")]
    events = answer.get("events") or {}
    missing = [name for name in NEEDED_EVENTS if not events.get(name)]
    if missing:
        items.append(
            fail(
                f"{LONG_POLL} events",
                f"not sent: {', '.join(missing)}",
                f"tick them in {path} → Event types (incoming message; message event)",
            )
        )
    else:
        items.append(ok(f"{LONG_POLL} events", ", ".join(NEEDED_EVENTS)))
    if answer.get("api_version") and answer["api_version"] != version:
        items.append(
            warn(
                f"{LONG_POLL} version",
                f"events come in API {answer['api_version']}, the bot speaks {version}",
                f"choose {version} in {path}",
            )
        )
    return items


async def _callback(api: VkApi, group_id: int, configured: str) -> Item:
    answer = await api.call("groups.getCallbackConfirmationCode", group_id=group_id)
    if answer.get("code") == configured:
        return ok(CALLBACK, "the confirmation code matches")
    return fail(
        CALLBACK,
        "VK_CONFIRMATION_CODE is not the code VK expects",
        "copy the string from the community → Manage → API usage → Callback API "
        "(«String to be returned») into VK_CONFIRMATION_CODE",
    )


async def _staff_chat(api: VkApi, settings: Settings) -> list[Item]:
    chat = settings.staff_chat
    if chat is None or chat.platform is not Platform.VK:
        return []
    try:
        await api.call("messages.getConversationMembers", peer_id=chat.peer_id)
    except VKAPIError as error:
        return [
            fail(
                STAFF,
                f"VK refused to list chat {chat.peer_id}'s members (error {error.code})",
                "add the community to the staff chat and make it an admin there "
                "(chat settings → members → the community → make admin)",
            )
        ]
    return [ok(STAFF, "the community is an admin there")]
