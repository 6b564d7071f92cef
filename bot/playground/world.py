"""The playground's two platforms and what the people on the page do in them.

Every action becomes an update the real platform would send (a message, a photo, an inline
button press, a VK ``message_event``), pushed into the embedded fake servers, which the real
adapters poll. Buttons are pressed by position, looked up in the message the bot sent, so
the page can only press what the bot really offered.
"""

from __future__ import annotations

import json
from typing import Any

from bot.playground.cast import READERS, STAFF, STAFF_CHAT_ID, VK_LANGUAGES, Person
from bot.playground.platforms.telegram_server import BOT_ID, FakeTelegramServer, FakeUser
from bot.playground.platforms.vk_server import FakeVkServer
from storage.models import Platform

SAMPLE_PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e221bc330000000049454e44ae426082"
)
"""A one-pixel PNG: what the page attaches as «a photo»."""
SAMPLE_DOCUMENT = b"%PDF-1.4\n% playground sample\n%%EOF\n"


class PressError(ValueError):
    """The page asked for a button the message does not have (gone, edited or forged)."""


def telegram_user(who: Person) -> FakeUser:
    return FakeUser(
        id=who.user_id,
        first_name=who.first_name,
        last_name=who.last_name or None,
        language_code=who.language,
    )


class World:
    """The embedded Telegram and VK, set up with the library's staff chat and readers."""

    def __init__(self, telegram: FakeTelegramServer, vk: FakeVkServer) -> None:
        self.telegram = telegram
        self.vk = vk
        self.pressed_by: dict[str, str] = {}
        """Which person pressed each Telegram inline button (by callback query id), so that
        the bot's pop-up answer is shown to them."""

    def populate(self) -> None:
        """The staff forum with its admins (the bot among them) and every person's name."""
        self.telegram.forum_chat(STAFF_CHAT_ID)
        self.telegram.set_member_status(STAFF_CHAT_ID, BOT_ID, "administrator")
        for member in STAFF:
            self.telegram.set_member_status(STAFF_CHAT_ID, member.user_id, "administrator")
            self.telegram.name_user(telegram_user(member))
        for reader in READERS:
            if reader.platform is Platform.TELEGRAM:
                self.telegram.name_user(telegram_user(reader))
            else:
                self.vk.add_user(reader.user_id, reader.first_name, reader.last_name)

    # ---- readers -------------------------------------------------------------------------

    def reader_writes(self, reader: Person, text: str, attachment: str | None = None) -> None:
        """``attachment``: ``photo``, ``document`` or None; the text is then its caption."""
        if reader.platform is Platform.TELEGRAM:
            self._telegram_writes(reader, reader.user_id, text, attachment)
            return
        if not text and attachment is None:
            raise ValueError("a message needs a text or a file")
        files: list[dict[str, Any]] = []
        if attachment == "photo":
            files.append(self.vk.photo_attachment(SAMPLE_PHOTO))
        elif attachment == "document":
            files.append(self.vk.doc_attachment(SAMPLE_DOCUMENT, title="sample.pdf"))
        self.vk.push_message(
            reader.user_id,
            text,
            attachments=files,
            lang_id=VK_LANGUAGES.get(reader.language, 0),
        )

    def reader_starts(self, reader: Person) -> None:
        """What a new reader's first tap sends: ``/start``, or VK's «Начать» button."""
        if reader.platform is Platform.TELEGRAM:
            self._telegram_writes(reader, reader.user_id, "/start", None)
        else:
            self.vk.push_message(
                reader.user_id,
                "Начать",
                payload={"command": "start"},
                lang_id=VK_LANGUAGES.get(reader.language, 0),
            )

    def reader_presses(self, reader: Person, message_id: int, row: int, column: int) -> None:
        if reader.platform is Platform.TELEGRAM:
            self._telegram_presses(reader, reader.user_id, message_id, row, column)
            return
        stored = self.vk.message(reader.user_id, message_id)
        button = _vk_button(stored.keyboard, row, column)
        action = button["action"]
        payload = _vk_payload(action.get("payload"))
        if action.get("type") == "callback":
            self.vk.push_message_event(reader.user_id, payload, conversation_message_id=message_id)
        else:
            self.vk.push_message(
                reader.user_id,
                str(action.get("label", "")),
                payload=payload,
                lang_id=VK_LANGUAGES.get(reader.language, 0),
            )

    # ---- staff ---------------------------------------------------------------------------

    def staff_writes(
        self,
        member: Person,
        text: str,
        *,
        thread_id: int | None = None,
        reply_to: int | None = None,
        attachment: str | None = None,
    ) -> None:
        self._telegram_writes(
            member, STAFF_CHAT_ID, text, attachment, thread_id=thread_id, reply_to=reply_to
        )

    def staff_presses(self, member: Person, message_id: int, row: int, column: int) -> None:
        self._telegram_presses(member, STAFF_CHAT_ID, message_id, row, column)

    # ---- Telegram ------------------------------------------------------------------------

    def _telegram_writes(
        self,
        who: Person,
        chat_id: int,
        text: str,
        attachment: str | None,
        *,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> None:
        if not text and attachment is None:
            raise ValueError("a message needs a text or a file")
        known = {topic.thread_id for topic in self.telegram.topics(chat_id)}
        if thread_id is not None and thread_id not in known:
            raise ValueError("no such topic")
        if reply_to is not None and self.telegram.message(chat_id, reply_to) is None:
            raise ValueError("no such message to reply to")
        user = telegram_user(who)
        caption = text or None
        if attachment == "photo":
            self.telegram.push_photo(
                chat_id,
                SAMPLE_PHOTO,
                caption=caption,
                user=user,
                thread_id=thread_id,
                reply_to=reply_to,
            )
        elif attachment == "document":
            self.telegram.push_document(
                chat_id,
                SAMPLE_DOCUMENT,
                file_name="sample.pdf",
                caption=caption,
                user=user,
                thread_id=thread_id,
                reply_to=reply_to,
            )
        else:
            self.telegram.push_message(
                chat_id, text, user=user, thread_id=thread_id, reply_to=reply_to
            )

    def _telegram_presses(
        self, who: Person, chat_id: int, message_id: int, row: int, column: int
    ) -> None:
        message = self.telegram.message(chat_id, message_id)
        if message is None or message.deleted:
            raise PressError("no such message")
        markup = message.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        button = _cell(rows, row, column)
        user = telegram_user(who)
        if "callback_data" in button:
            query = self.telegram.push_callback(
                chat_id, str(button["callback_data"]), message_id, user=user
            )
            self.pressed_by[query] = who.key
        elif "inline_keyboard" in markup:
            raise PressError("this button opens something outside the chat")
        else:
            thread = message.message_thread_id
            self.telegram.push_message(
                chat_id, str(button.get("text", "")), user=user, thread_id=thread
            )


def _cell(rows: Any, row: int, column: int) -> dict[str, Any]:
    try:
        button = rows[row][column]
    except (IndexError, TypeError, KeyError):
        raise PressError("no such button") from None
    if not isinstance(button, dict):
        raise PressError("no such button")
    return button


def _vk_button(keyboard: dict[str, Any] | None, row: int, column: int) -> dict[str, Any]:
    button = _cell((keyboard or {}).get("buttons"), row, column)
    if not isinstance(button.get("action"), dict):
        raise PressError("no such button")
    return button


def _vk_payload(raw: Any) -> dict[str, Any] | None:
    """A button's payload as VK hands it back: the JSON object the bot put there."""
    if raw is None:
        return None
    value = json.loads(raw) if isinstance(raw, str) else raw
    return value if isinstance(value, dict) else None
