"""Turning aiogram's messages and button presses into neutral events.

Threads: ``Event.thread_id`` is set only for a message in a forum topic
(``is_topic_message``). Outside forums Telegram also fills ``message_thread_id`` for replies
in a supergroup (the thread of the replied-to message); that is not a topic and is dropped.

Replies: in a forum topic every message that replies to nothing explicit still carries
``reply_to_message``: the service message that created the topic. That is Telegram's way of
placing it in the topic, not a reply, so it is not reported as ``reply_to_message_id``.
"""

from __future__ import annotations

from aiogram.enums import ChatType, ContentType
from aiogram.types import CallbackQuery, Chat, Message, User

from handlers.core.events import Attachment, AttachmentKind, Event
from storage.models import Address, Platform

# What a person can send that the core does not process: it gets an "unsupported" answer.
# Everything else without text, photo or document is a service message (a member joined,
# a message was pinned) and produces no event at all.
_UNSUPPORTED_CONTENT = frozenset(
    {
        ContentType.ANIMATION,
        ContentType.AUDIO,
        ContentType.CHECKLIST,
        ContentType.CONTACT,
        ContentType.DICE,
        ContentType.GAME,
        ContentType.LIVE_PHOTO,
        ContentType.LOCATION,
        ContentType.PAID_MEDIA,
        ContentType.POLL,
        ContentType.STICKER,
        ContentType.STORY,
        ContentType.VENUE,
        ContentType.VIDEO,
        ContentType.VIDEO_NOTE,
        ContentType.VOICE,
    }
)


def event_from_message(message: Message) -> Event | None:
    """The neutral event for a message, or ``None`` for a service message."""
    attachments = _attachments(message)
    text = message.text if message.text is not None else message.caption
    if text is None and not attachments:
        return None
    return Event(
        address=_address(message.chat),
        sender_id=_sender_id(message),
        display_name=_display_name(message.from_user, message.chat),
        language_code=message.from_user.language_code if message.from_user else None,
        text=text,
        attachments=attachments,
        message_id=message.message_id,
        media_group_id=message.media_group_id,
        is_private=message.chat.type == ChatType.PRIVATE,
        thread_id=_topic_id(message),
        reply_to_message_id=_reply_to(message),
        replied_attachments=_replied_attachments(message),
    )


def event_from_callback(query: CallbackQuery) -> Event | None:
    """The neutral event for an inline button press, or ``None`` if it carries no data."""
    if query.data is None:
        return None
    chat = query.message.chat if query.message is not None else None
    # An inaccessible (too old) message tells nothing about its topic.
    shown = query.message if isinstance(query.message, Message) else None
    # Without the message (a button under an inline-mode message) the only place to answer
    # is the private chat with the presser, whose id equals theirs.
    address = _address(chat) if chat else Address(Platform.TELEGRAM, query.from_user.id)
    return Event(
        address=address,
        sender_id=query.from_user.id,
        display_name=query.from_user.full_name,
        language_code=query.from_user.language_code,
        payload=query.data,
        message_id=query.message.message_id if query.message is not None else None,
        callback_id=query.id,
        is_private=chat is None or chat.type == ChatType.PRIVATE,
        thread_id=_topic_id(shown) if shown is not None else None,
    )


def _topic_id(message: Message) -> int | None:
    if not message.is_topic_message:
        return None
    return message.message_thread_id


def _reply_to(message: Message) -> int | None:
    replied = message.reply_to_message
    if replied is None:
        return None
    if replied.forum_topic_created is not None:
        return None
    if message.is_topic_message and replied.message_id == message.message_thread_id:
        return None
    return replied.message_id


def _replied_attachments(message: Message) -> tuple[Attachment, ...]:
    replied = message.reply_to_message
    if replied is None or _reply_to(message) is None:
        return ()
    return _attachments(replied)


def _address(chat: Chat) -> Address:
    return Address(Platform.TELEGRAM, chat.id)


def _sender_id(message: Message) -> int:
    if message.from_user is not None:
        return message.from_user.id
    if message.sender_chat is not None:
        return message.sender_chat.id
    return message.chat.id


def _display_name(user: User | None, chat: Chat) -> str:
    if user is not None:
        return user.full_name
    return chat.title or chat.full_name


def _attachments(message: Message) -> tuple[Attachment, ...]:
    if message.photo:
        largest = max(
            message.photo, key=lambda size: (size.width * size.height, size.file_size or 0)
        )
        return (
            Attachment(
                kind=AttachmentKind.PHOTO,
                platform=Platform.TELEGRAM,
                ref=largest.file_id,
                mime_type="image/jpeg",
                size=largest.file_size,
            ),
        )
    if message.document is not None:
        document = message.document
        return (
            Attachment(
                kind=AttachmentKind.DOCUMENT,
                platform=Platform.TELEGRAM,
                ref=document.file_id,
                file_name=document.file_name,
                mime_type=document.mime_type,
                size=document.file_size,
            ),
        )
    if message.content_type in _UNSUPPORTED_CONTENT:
        return (Attachment(kind=AttachmentKind.UNSUPPORTED, platform=Platform.TELEGRAM),)
    return ()
