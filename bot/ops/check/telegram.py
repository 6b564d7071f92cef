"""The Telegram token, the staff chat and the webhook, as Telegram sees them."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramUnauthorizedError,
)
from aiogram.types import ChatMemberAdministrator, ChatMemberOwner, User

from bot.ops.check.checklist import Item, fail, ok, skip, warn
from bot.ratelimit import RateLimiter
from bot.settings import Settings, TelegramMode
from bot.telegram.factory import create_bot
from storage.models import Platform

TOKEN = "Telegram token"
WEBHOOK = "Telegram webhook"
STAFF = "Telegram staff chat"
HTTPS_PORTS = frozenset({443, 80, 88, 8443})


async def check_telegram(settings: Settings) -> list[Item]:
    if not settings.telegram_enabled:
        return [skip("Telegram", "TELEGRAM_BOT_TOKEN is not set")]
    bot = create_bot(
        settings.telegram_bot_token, RateLimiter(), api_base=settings.telegram_api_base, timeout=20
    )
    try:
        try:
            me = await bot.get_me()
        except TelegramUnauthorizedError:
            return [
                fail(
                    TOKEN,
                    "Telegram refused the token",
                    "copy the token again from @BotFather (/mybots → your bot → API Token) "
                    "into TELEGRAM_BOT_TOKEN; if it was revoked, use the new one",
                )
            ]
        except (TelegramNetworkError, TelegramAPIError) as error:
            return [
                fail(
                    TOKEN,
                    f"Telegram did not answer ({type(error).__name__}: {error})",
                    f"check the network and TELEGRAM_API_BASE (now {settings.telegram_api_base})",
                )
            ]
        items = [ok(TOKEN, f"the bot is @{me.username}")]
        items += await _webhook(bot, settings)
        items += await _staff_chat(bot, me, settings)
        return items
    finally:
        await bot.session.close()


async def _webhook(bot: Bot, settings: Settings) -> list[Item]:
    info = await bot.get_webhook_info()
    if settings.telegram_mode is TelegramMode.POLLING:
        if info.url:
            return [
                warn(
                    WEBHOOK,
                    "a webhook is set while TELEGRAM_MODE=polling",
                    "nothing to do if this is the only deployment: the bot removes the webhook "
                    "when it starts polling; if another deployment uses the webhook, the two "
                    "will take each other's updates: give each its own bot",
                )
            ]
        return [ok(WEBHOOK, "none set, as polling needs")]
    items = []
    configured = settings.telegram_webhook_url
    url = configured.split("://", 1)[-1].split("/", 1)[0]
    port = int(url.rsplit(":", 1)[1]) if ":" in url else 443
    if not configured.startswith("https://") or port not in HTTPS_PORTS:
        items.append(
            fail(
                f"{WEBHOOK} address",
                f"{configured} is not HTTPS on port 443, 80, 88 or 8443",
                "Telegram delivers webhooks only to https:// on those ports: put a reverse "
                "proxy with a certificate in front of WEB_HOST:WEB_PORT and set "
                "TELEGRAM_WEBHOOK_URL to its public address",
            )
        )
    if not info.url:
        items.append(
            warn(
                WEBHOOK,
                "not registered yet",
                "start the bot: it registers TELEGRAM_WEBHOOK_URL with Telegram",
            )
        )
    elif info.url != configured:
        items.append(
            fail(
                WEBHOOK,
                "Telegram sends the updates to another address than TELEGRAM_WEBHOOK_URL",
                "if another deployment uses this bot, stop it or give it its own bot; "
                "otherwise start this one, which registers its own address",
            )
        )
    else:
        items.append(ok(WEBHOOK, f"registered, {info.pending_update_count} updates waiting"))
    if info.last_error_message:
        items.append(
            warn(
                f"{WEBHOOK} delivery",
                f"Telegram's last delivery failed: {info.last_error_message}",
                "check that the public address reaches WEB_HOST:WEB_PORT through the proxy",
            )
        )
    return items


async def _staff_chat(bot: Bot, me: User, settings: Settings) -> list[Item]:
    chat = settings.staff_chat
    if chat is None:
        return [
            warn(
                STAFF,
                "STAFF_CHAT is not set: reader requests reach no one",
                "create a group with the librarians, add the bot, make it an admin and set "
                "STAFF_CHAT=telegram:<chat id>",
            )
        ]
    if chat.platform is not Platform.TELEGRAM:
        return []
    try:
        info = await bot.get_chat(chat.peer_id)
        member = await bot.get_chat_member(chat.peer_id, me.id)
    except (TelegramBadRequest, TelegramNotFound, TelegramForbiddenError) as error:
        return [
            fail(
                STAFF,
                f"the bot cannot see chat {chat.peer_id} ({error.message})",
                "add the bot to the staff group and check STAFF_CHAT (a supergroup's id "
                "starts with -100)",
            )
        ]
    if isinstance(member, ChatMemberOwner):
        return [ok(STAFF, f"the bot owns «{info.title}»")]
    if not isinstance(member, ChatMemberAdministrator):
        return [
            fail(
                STAFF,
                f"the bot is in «{info.title}» but is not an admin ({member.status})",
                "in the group: Manage group → Administrators → Add administrator → the bot "
                "(it needs to read every message and to manage topics)",
            )
        ]
    items = [ok(STAFF, f"the bot is an admin of «{info.title}»")]
    if info.is_forum and not member.can_manage_topics:
        items.append(
            fail(
                f"{STAFF} topics",
                "the chat has topics, but the bot may not manage them",
                "in the group: Administrators → the bot → turn on «Manage topics»",
            )
        )
    return items
