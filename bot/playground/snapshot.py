"""What the page shows, read from the embedded platforms: every chat as its people see it.

The page knows no feature: it draws the messages, buttons and files the bot sent, whatever
they are. Texts travel as plain strings and the page inserts them as text, never as markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.playground.cast import CHANNEL_ID, READERS, STAFF, STAFF_CHAT_ID, Person
from bot.playground.platforms.telegram_server import FakeTelegramServer, SentMessage
from bot.playground.platforms.vk_server import FakeVkServer
from storage.models import Platform

Json = dict[str, Any]
KEEP = 200
"""Messages kept per chat on the page (the newest)."""


def snapshot(telegram: FakeTelegramServer, vk: FakeVkServer, pressed_by: Mapping[str, str]) -> Json:
    """``pressed_by``: who pressed each Telegram button (callback query id → person key)."""
    pop_ups = _pop_ups(telegram, vk, pressed_by)
    return {
        "readers": {
            reader.key: _reader_chat(telegram, vk, reader) | {"pop_up": pop_ups.get(reader.key)}
            for reader in READERS
        },
        "staff": _staff_chat(telegram) | {"pop_ups": {m.key: pop_ups.get(m.key) for m in STAFF}},
        "channel": [_telegram_bot_message(m) for m in telegram.sent_to(CHANNEL_ID)][-KEEP:],
        "wall": [
            {"id": post.post_id, "text": post.message, "files": list(post.attachments)}
            for post in vk.wall
        ][-KEEP:],
        "polls": [
            {"id": key, "question": question, "answers": answers}
            for key, (question, answers) in vk.polls.items()
        ][-KEEP:],
    }


def _reader_chat(telegram: FakeTelegramServer, vk: FakeVkServer, reader: Person) -> Json:
    if reader.platform is Platform.TELEGRAM:
        messages = _telegram_chat(telegram, reader.user_id)
    else:
        messages = _vk_chat(vk, reader.user_id)
    keyboard = next((m["keyboard"] for m in reversed(messages) if "keyboard" in m), None)
    return {"messages": messages[-KEEP:], "keyboard": keyboard}


def _staff_chat(telegram: FakeTelegramServer) -> Json:
    topics = [
        {"thread": topic.thread_id, "name": topic.name, "closed": topic.closed}
        for topic in telegram.topics(STAFF_CHAT_ID)
    ]
    return {"topics": topics, "messages": _telegram_chat(telegram, STAFF_CHAT_ID)[-KEEP:]}


def _telegram_chat(telegram: FakeTelegramServer, chat_id: int) -> list[Json]:
    people = [_telegram_user_message(m) for m in telegram.user_messages(chat_id)]
    bot = [_telegram_bot_message(m) for m in telegram.sent_to(chat_id)]
    return sorted(people + bot, key=lambda m: int(m["id"]))


def _telegram_user_message(message: Json) -> Json:
    sender = message.get("from") or {}
    name = " ".join(str(sender.get(k, "")) for k in ("first_name", "last_name")).strip()
    files = []
    if message.get("photo"):
        files.append("photo")
    if isinstance(message.get("document"), dict):
        files.append(str(message["document"].get("file_name") or "document"))
    return {
        "id": message["message_id"],
        "side": "in",
        "author": name,
        "text": str(message.get("text") or message.get("caption") or ""),
        "files": files,
        "thread": message.get("message_thread_id") if message.get("is_topic_message") else None,
        "reply_to": (message.get("reply_to_message") or {}).get("message_id"),
    }


def _telegram_bot_message(message: SentMessage) -> Json:
    markup = message.reply_markup or {}
    shown: Json = {
        "id": message.message_id,
        "side": "out",
        "author": "bot",
        "text": message.text or message.caption or "",
        "files": [f.file_name or f.kind for f in message.files],
        "buttons": _telegram_rows(markup.get("inline_keyboard", [])),
        "options": list(message.poll_options),
        "deleted": message.deleted,
        "edited": message.edits > 0,
        "thread": message.message_thread_id,
        "reply_to": message.reply_to,
    }
    if "keyboard" in markup:
        shown["keyboard"] = {
            "message": message.message_id,
            "rows": _telegram_rows(markup["keyboard"]),
        }
    elif "remove_keyboard" in markup:
        shown["keyboard"] = None
    return shown


def _vk_chat(vk: FakeVkServer, peer_id: int) -> list[Json]:
    shown: list[Json] = []
    for message in vk.user_messages(peer_id):
        files = [str(a.get("type", "file")) for a in message.get("attachments") or []]
        shown.append(
            {
                "id": message["conversation_message_id"],
                "side": "in",
                "author": "",
                "text": str(message.get("text") or ""),
                "files": files,
            }
        )
    for delivery in vk.sent_to(peer_id):
        cmid = delivery.conversation_message_id
        deleted = vk.is_deleted(peer_id, cmid)
        current = None if deleted else vk.message(peer_id, cmid)
        text = current.text if current else delivery.text
        keyboard = current.keyboard if current else delivery.keyboard
        entry: Json = {
            "id": cmid,
            "side": "out",
            "author": "bot",
            "text": text,
            "files": list(current.attachments if current else delivery.attachments),
            "buttons": [],
            "deleted": deleted,
            "edited": current is not None and current.text != delivery.text,
            "reply_to": delivery.reply_to,
        }
        rows = [
            [_button(b["action"].get("label"), b["action"].get("payload")) for b in row]
            for row in (keyboard or {}).get("buttons", [])
        ]
        if keyboard is not None and keyboard.get("inline"):
            entry["buttons"] = rows
        elif keyboard is not None:
            entry["keyboard"] = {"message": cmid, "rows": rows} if rows else None
        shown.append(entry)
    return sorted(shown, key=lambda m: int(m["id"]))


def _button(label: Any, data: Any) -> Json:
    """A button as the page draws it: its label, and what pressing it sends (shown to
    developers as a tooltip)."""
    return {"label": str(label or ""), "data": None if data is None else str(data)}


def _telegram_rows(rows: list[list[Json]]) -> list[list[Json]]:
    return [[_button(b.get("text"), b.get("callback_data")) for b in row] for row in rows]


def _pop_ups(
    telegram: FakeTelegramServer, vk: FakeVkServer, pressed_by: Mapping[str, str]
) -> dict[str, str]:
    """The newest pop-up answer to a button press (Telegram's callback answer, VK's
    snackbar) of each person, by person key."""
    latest: dict[str, str] = {}
    for answer in telegram.callback_answers:
        who = pressed_by.get(answer.callback_query_id)
        if who is not None and answer.text:
            latest[who] = answer.text
    vk_readers = {r.user_id: r.key for r in READERS if r.platform is Platform.VK}
    for event in vk.event_answers:
        data = event.event_data or {}
        who = vk_readers.get(event.user_id)
        if who is not None and data.get("type") == "show_snackbar" and data.get("text"):
            latest[who] = str(data["text"])
    return latest
