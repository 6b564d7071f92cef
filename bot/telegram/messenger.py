"""The Telegram side of the neutral :class:`~handlers.core.messenger.Messenger` port."""

from __future__ import annotations

import io
import logging

import aiohttp
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, ReplyParameters

from bot.telegram.admins import ChatAdmins
from bot.telegram.errors import neutral_errors
from bot.telegram.markup import inline_keyboard, input_file
from bot.telegram.text import CAPTION_LIMIT, split_text, utf16_length
from bot.telegram.topics import ForumTopics
from handlers.core.events import Attachment, AttachmentKind, Event
from handlers.core.messenger import PermanentError, TransientError
from handlers.core.replies import Reply
from storage.models import Address, Platform, StaffMember

logger = logging.getLogger(__name__)

NOTICE_LIMIT = 200


class TelegramMessenger:
    """Sends neutral replies through an aiogram ``Bot`` built by :func:`create_bot`.

    Texts go out as plain text. A text longer than Telegram's 4096 units becomes several
    messages; the buttons go under the last one. A single file takes the text as its caption
    when it fits, otherwise the text goes first and the files follow it. Telegram has no
    idempotency keys, so ``idempotency_key`` is accepted and ignored.

    ``Reply.thread_id`` puts every part into that forum topic; ``Reply.reply_to`` makes the
    first part a reply, and the reply still goes out if that message was deleted.
    """

    platform = Platform.TELEGRAM

    def __init__(
        self, bot: Bot, *, download_timeout: int = 60, admin_cache_ttl: float = 300.0
    ) -> None:
        self._bot = bot
        self._download_timeout = download_timeout
        self._topics = ForumTopics(bot)
        self._admins = ChatAdmins(bot, ttl=admin_cache_ttl)

    async def send(self, to: Address, reply: Reply, *, idempotency_key: str | None = None) -> int:
        chat_id = _chat_id(to)
        markup = inline_keyboard(reply.buttons)
        files = [(a.kind, input_file(a)) for a in reply.attachments]
        text = reply.text if reply.text.strip() else ""
        if not text and not files:
            raise PermanentError("nothing to send: the reply has neither text nor files")
        place = _Placement(self._thread(chat_id, reply.thread_id), _reply_parameters(reply))
        with neutral_errors():
            if len(files) == 1 and utf16_length(text) <= CAPTION_LIMIT:
                kind, file = files[0]
                return await self._send_file(chat_id, kind, file, text or None, markup, place)
            last_id: int | None = None
            chunks = split_text(text)
            for index, chunk in enumerate(chunks):
                is_last = index == len(chunks) - 1 and not files
                sent = await self._bot.send_message(
                    chat_id,
                    chunk,
                    reply_markup=markup if is_last else None,
                    message_thread_id=place.thread_id,
                    reply_parameters=place.take_reply(),
                )
                last_id = sent.message_id
            for index, (kind, file) in enumerate(files):
                is_last = index == len(files) - 1
                last_id = await self._send_file(
                    chat_id, kind, file, None, markup if is_last else None, place
                )
        if last_id is None:
            raise PermanentError("nothing was sent")
        return last_id

    async def edit(self, to: Address, message_id: int, reply: Reply) -> None:
        """Replace a message's text and buttons.

        A text past Telegram's limit is cut to its first part: an edited message cannot grow
        into several. Editing to identical content is not an error.
        """
        chat_id = _chat_id(to)
        markup = inline_keyboard(reply.buttons)
        text = split_text(reply.text)[:1]
        if not text:
            raise PermanentError("cannot edit a message to empty text")
        try:
            with neutral_errors():
                await self._edit(chat_id, message_id, text[0], markup)
        except PermanentError as error:
            if "message is not modified" not in str(error):
                raise

    async def delete(self, to: Address, message_id: int) -> None:
        """Delete a message the bot sent (Telegram allows it for 48 hours)."""
        with neutral_errors():
            await self._bot.delete_message(_chat_id(to), message_id)

    async def acknowledge(self, event: Event, notice: str | None = None) -> None:
        """Answer a button press; a press too old to answer is ignored."""
        if event.callback_id is None:
            return
        try:
            with neutral_errors():
                await self._bot.answer_callback_query(
                    event.callback_id, text=notice[:NOTICE_LIMIT] if notice else None
                )
        except PermanentError as error:
            if "query is too old" not in str(error):
                raise
            logger.debug("Button press %s was too old to acknowledge", event.callback_id)

    async def download(self, attachment: Attachment) -> bytes:
        if attachment.platform is not Platform.TELEGRAM or not attachment.ref:
            raise PermanentError("not a Telegram file")
        with neutral_errors():
            file = await self._bot.get_file(attachment.ref)
        if not file.file_path:
            raise PermanentError("Telegram does not let bots download files this large")
        buffer = io.BytesIO()
        try:
            with neutral_errors():
                await self._bot.download_file(
                    file.file_path, destination=buffer, timeout=self._download_timeout
                )
        # aiohttp's messages here carry the file URL, and with it the token: never chain them.
        except aiohttp.ClientResponseError as error:
            failure = f"file download failed with HTTP {error.status}"
            if error.status >= 500:
                raise TransientError(failure) from None
            raise PermanentError(failure) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TransientError(f"file download failed: {type(error).__name__}") from None
        return buffer.getvalue()

    async def create_topic(self, chat: Address, title: str) -> int | None:
        """Open a forum topic named ``title`` (cut to Telegram's 128 characters).

        None for a private chat or a group that is not a forum; the latter is remembered for
        the life of the process.
        """
        return await self._topics.create(_chat_id(chat), title)

    async def reopen_topic(self, chat: Address, topic_id: int) -> None:
        """Reopen a closed topic; an open one is left as it is."""
        await self._topics.reopen(_chat_id(chat), topic_id)

    async def rename_topic(self, chat: Address, topic_id: int, title: str) -> None:
        """Rename a topic (cut to Telegram's 128 characters); the same name is fine."""
        await self._topics.rename(_chat_id(chat), topic_id, title)

    async def is_chat_admin(self, chat: Address, user_id: int) -> bool:
        """Whether the user is the chat's creator or one of its administrators.

        Answers are cached per chat and user for ``admin_cache_ttl`` seconds; a failed check
        is logged and answers False.
        """
        return await self._admins.is_admin(_chat_id(chat), user_id)

    async def chat_admins(self, chat: Address) -> list[StaffMember]:
        """The chat's creator and administrators, bots left out (``getChatAdministrators``)."""
        people = await self._admins.people(_chat_id(chat))
        return [StaffMember(Platform.TELEGRAM, user_id, name) for user_id, name in people]

    def _thread(self, chat_id: int, thread_id: int | None) -> int | None:
        # Telegram refuses a thread id in a chat without topics, and the contract says the
        # thread is ignored there.
        if thread_id is None or chat_id > 0 or self._topics.is_plain(chat_id):
            return None
        return thread_id

    async def _send_file(
        self,
        chat_id: int,
        kind: AttachmentKind,
        file: str | BufferedInputFile,
        caption: str | None,
        markup: InlineKeyboardMarkup | None,
        place: _Placement,
    ) -> int:
        if kind is AttachmentKind.PHOTO:
            message = await self._bot.send_photo(
                chat_id,
                file,
                caption=caption,
                reply_markup=markup,
                message_thread_id=place.thread_id,
                reply_parameters=place.take_reply(),
            )
        else:
            message = await self._bot.send_document(
                chat_id,
                file,
                caption=caption,
                reply_markup=markup,
                message_thread_id=place.thread_id,
                reply_parameters=place.take_reply(),
            )
        return message.message_id

    async def _edit(
        self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        try:
            await self._bot.edit_message_text(
                text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
        except TelegramBadRequest as error:
            # A photo or document under buttons has a caption, not a text.
            if "no text in the message" not in error.message:
                raise
            await self._bot.edit_message_caption(
                chat_id=chat_id,
                message_id=message_id,
                caption=split_text(text, CAPTION_LIMIT)[0],
                reply_markup=markup,
            )


class _Placement:
    """Where the parts of one reply go: all into the topic, only the first as a reply."""

    def __init__(self, thread_id: int | None, reply: ReplyParameters | None) -> None:
        self.thread_id = thread_id
        self._reply = reply

    def take_reply(self) -> ReplyParameters | None:
        reply, self._reply = self._reply, None
        return reply


def _reply_parameters(reply: Reply) -> ReplyParameters | None:
    if reply.reply_to is None:
        return None
    return ReplyParameters(message_id=reply.reply_to, allow_sending_without_reply=True)


def _chat_id(to: Address) -> int:
    if to.platform is not Platform.TELEGRAM:
        raise PermanentError(f"{to} is not a Telegram address")
    return to.peer_id
