"""Sending neutral replies through the adapter to the fake Bot API."""

from __future__ import annotations

import json

import pytest
from aiogram import Bot

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.telegram import TelegramMessenger
from bot.telegram.text import utf16_length
from handlers.core.events import Attachment, AttachmentKind
from handlers.core.messenger import PermanentError
from handlers.core.replies import Button, Reply
from storage.models import Address, Platform

READER = Address(Platform.TELEGRAM, 501)


async def test_text_with_buttons_becomes_an_inline_keyboard(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    reply = Reply(
        "Choose a service",
        buttons=(
            (Button("Ask a librarian", "menu:ask"), Button("Renew", "menu:renew")),
            (Button("Новинки", "menu:new"),),
        ),
    )

    message_id = await messenger.send(READER, reply)

    [sent] = server.sent_to(501)
    assert sent.message_id == message_id
    assert sent.text == "Choose a service"
    assert sent.buttons == [
        [("Ask a librarian", "menu:ask"), ("Renew", "menu:renew")],
        [("Новинки", "menu:new")],
    ]


async def test_markup_characters_arrive_literally_without_parse_mode(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    text = "Use <b>bold</b> & *stars* _here_ [x](http://y)"

    await messenger.send(READER, Reply(text))

    [sent] = server.sent_to(501)
    assert sent.text == text
    assert sent.parse_mode is None


async def test_long_text_is_split_and_buttons_go_under_the_last_part(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    paragraph = "Библиотека " * 300
    text = f"{paragraph}\n\n{paragraph}"
    assert utf16_length(text) > 4096

    last_id = await messenger.send(READER, Reply(text, buttons=((Button("Back", "back"),),)))

    parts = server.sent_to(501)
    assert len(parts) == 2
    assert all(utf16_length(p.text or "") <= 4096 for p in parts)
    assert " ".join(p.text or "" for p in parts).split() == text.split()
    assert parts[0].buttons == []
    assert parts[1].buttons == [[("Back", "back")]]
    assert last_id == parts[1].message_id


async def test_message_ids_grow_per_chat(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    first = await messenger.send(READER, Reply("one"))
    other_chat = await messenger.send(Address(Platform.TELEGRAM, 502), Reply("hi"))
    second = await messenger.send(READER, Reply("two"))

    assert first < second
    assert other_chat == 1


async def test_photo_upload_carries_bytes_caption_and_buttons(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    photo = Attachment(AttachmentKind.PHOTO, data=b"\xff\xd8jpeg-bytes", file_name="cover.jpg")
    reply = Reply("The cover", buttons=((Button("More", "more"),),), attachments=(photo,))

    await messenger.send(READER, reply)

    [sent] = server.sent_to(501)
    assert sent.method == "sendphoto"
    assert sent.caption == "The cover"
    assert sent.buttons == [[("More", "more")]]
    assert sent.files[0].data == b"\xff\xd8jpeg-bytes"
    assert sent.files[0].uploaded


async def test_document_upload_keeps_its_file_name(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    document = Attachment(
        AttachmentKind.DOCUMENT, data=b"%PDF-1.7 article", file_name="article.pdf"
    )

    await messenger.send(READER, Reply("", attachments=(document,)))

    [sent] = server.sent_to(501)
    assert sent.method == "senddocument"
    assert sent.caption is None
    assert (sent.files[0].file_name, sent.files[0].data) == ("article.pdf", b"%PDF-1.7 article")


async def test_telegram_file_id_is_reused_instead_of_uploading(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    stored = server.add_file(b"scan", file_name="scan.pdf")
    attachment = Attachment(AttachmentKind.DOCUMENT, platform=Platform.TELEGRAM, ref=stored.file_id)

    await messenger.send(READER, Reply("Your scan", attachments=(attachment,)))

    [sent] = server.sent_to(501)
    assert sent.files[0].file_id == stored.file_id
    assert not sent.files[0].uploaded


async def test_text_too_long_for_a_caption_goes_first_then_the_file(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    text = "word " * 300
    document = Attachment(AttachmentKind.DOCUMENT, data=b"data", file_name="list.txt")

    last_id = await messenger.send(
        READER, Reply(text, buttons=((Button("OK", "ok"),),), attachments=(document,))
    )

    text_message, file_message = server.sent_to(501)
    assert text_message.text == text
    assert text_message.buttons == []
    assert file_message.caption is None
    assert file_message.buttons == [[("OK", "ok")]]
    assert last_id == file_message.message_id


@pytest.mark.parametrize(
    "reply",
    [
        Reply("  "),
        Reply("x", buttons=((Button("Too long", "p" * 65),),)),
        Reply("x", attachments=(Attachment(AttachmentKind.PHOTO, platform=Platform.VK, ref="v"),)),
    ],
    ids=["empty", "payload-over-64-bytes", "foreign-file-without-bytes"],
)
async def test_unsendable_replies_fail_permanently_before_any_call(
    server: FakeTelegramServer, messenger: TelegramMessenger, reply: Reply
) -> None:
    with pytest.raises(PermanentError):
        await messenger.send(READER, reply)

    assert server.calls_of("sendMessage") == []
    assert server.calls_of("sendPhoto") == []


async def test_a_vk_address_is_refused(messenger: TelegramMessenger) -> None:
    with pytest.raises(PermanentError):
        await messenger.send(Address(Platform.VK, 501), Reply("hi"))


async def test_the_bot_has_no_default_parse_mode(bot: Bot) -> None:
    assert bot.default.parse_mode is None


async def test_link_previews_are_off_through_link_preview_options(
    server: FakeTelegramServer, messenger: TelegramMessenger
) -> None:
    message_id = await messenger.send(READER, Reply("Каталог: https://example.org"))
    await messenger.edit(READER, message_id, Reply("Каталог: https://example.org/new"))

    for method in ("sendMessage", "editMessageText"):
        [call] = server.calls_of(method)
        assert json.loads(call.params["link_preview_options"]) == {"is_disabled": True}
        assert "disable_web_page_preview" not in call.params
