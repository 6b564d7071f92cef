from __future__ import annotations

import pytest

from bot.playground.platforms.vk_server import FakeVkServer
from bot.vk import VkAdapter
from handlers.core.events import Attachment, AttachmentKind
from handlers.core.messenger import PermanentError
from handlers.core.replies import Button, Reply
from storage.models import Address, Platform

READER = Address(Platform.VK, 42)
PNG = b"\x89PNG\r\n\x1a\n fake image"


async def test_edit_replaces_text_and_buttons(vk: FakeVkServer, adapter: VkAdapter) -> None:
    menu = Reply("Choose", buttons=((Button("Renew", "renew"),),))
    message_id = await adapter.messenger.send(READER, menu)

    await adapter.messenger.edit(READER, message_id, Reply("Renewed until 1 December"))

    current = vk.message(42, message_id)
    assert current.text == "Renewed until 1 December"
    assert current.keyboard is None
    [call] = vk.calls_of("messages.edit")
    assert call.params["conversation_message_id"] == str(message_id)


async def test_edit_keeps_new_buttons(vk: FakeVkServer, adapter: VkAdapter) -> None:
    message_id = await adapter.messenger.send(READER, Reply("Page 1"))

    await adapter.messenger.edit(
        READER, message_id, Reply("Page 2", buttons=((Button("Back", "page:1"),),))
    )

    keyboard = vk.message(42, message_id).keyboard
    assert keyboard is not None
    assert keyboard["buttons"][0][0]["action"]["label"] == "Back"


async def test_edit_of_an_unknown_message_is_permanent(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    with pytest.raises(PermanentError):
        await adapter.messenger.edit(READER, 999, Reply("x"))


async def test_acknowledge_with_a_snackbar(vk: FakeVkServer, adapter: VkAdapter) -> None:
    event = await adapter.converter.convert(vk.build_message_event(42, {"p": "renew"}))
    assert event is not None

    await adapter.messenger.acknowledge(event, "Renewal requested " + "!" * 100)

    [answer] = vk.event_answers
    assert answer.event_id == event.callback_id
    assert (answer.user_id, answer.peer_id) == (42, 42)
    assert answer.event_data is not None
    assert answer.event_data["type"] == "show_snackbar"
    assert len(answer.event_data["text"]) == 90


async def test_acknowledge_without_notice_and_of_text_messages(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    press = await adapter.converter.convert(vk.build_message_event(42, {"p": "x"}))
    message = await adapter.converter.convert(vk.build_message_new(42, "1"))
    assert press is not None
    assert message is not None

    await adapter.messenger.acknowledge(press)
    await adapter.messenger.acknowledge(message, "ignored")

    assert [a.event_data for a in vk.event_answers] == [None]


async def test_acknowledging_an_expired_press_is_quiet(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    event = await adapter.converter.convert(vk.build_message_event(42, {"p": "x"}))
    assert event is not None
    vk.fail_next(100, method="messages.sendMessageEventAnswer")

    await adapter.messenger.acknowledge(event, "late")

    assert vk.event_answers == []


async def test_photo_and_document_are_uploaded(vk: FakeVkServer, adapter: VkAdapter) -> None:
    photo = Attachment(AttachmentKind.PHOTO, data=PNG, file_name="cover.png")
    document = Attachment(AttachmentKind.DOCUMENT, data=b"%PDF-1.4 list", file_name="list.pdf")

    await adapter.messenger.send(READER, Reply("New arrivals", attachments=(photo, document)))

    [delivery] = vk.sent_to(42)
    photo_ref, doc_ref = delivery.attachments
    assert photo_ref.startswith(f"photo-{vk.group_id}_")
    assert doc_ref.startswith(f"doc-{vk.group_id}_")
    assert vk.saved_bytes(photo_ref) == PNG
    assert vk.saved_bytes(doc_ref) == b"%PDF-1.4 list"
    assert vk.calls_of("docs.save")[0].params["title"] == "list.pdf"
    assert "peer_id" in vk.calls_of("photos.getMessagesUploadServer")[0].params


async def test_vk_attachment_string_is_reused(vk: FakeVkServer, adapter: VkAdapter) -> None:
    photo = Attachment(AttachmentKind.PHOTO, data=PNG)
    await adapter.messenger.send(READER, Reply("first", attachments=(photo,)))
    ref = vk.sent_to(42)[0].attachments[0]

    again = Attachment(AttachmentKind.PHOTO, platform=Platform.VK, ref=ref)
    await adapter.messenger.send(Address(Platform.VK, 43), Reply("again", attachments=(again,)))

    assert vk.sent_to(43)[0].attachments == (ref,)
    assert len(vk.calls_of("photos.saveMessagesPhoto")) == 1


async def test_reader_photo_is_downloaded_and_forwardable(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    update = vk.build_message_new(42, "", attachments=[vk.photo_attachment(PNG)])
    event = await adapter.converter.convert(update)
    assert event is not None
    [photo] = event.attachments

    assert await adapter.messenger.download(photo) == PNG

    await adapter.messenger.send(
        Address(Platform.VK, 7), Reply("from a reader", attachments=(photo,))
    )
    assert vk.saved_bytes(vk.sent_to(7)[0].attachments[0]) == PNG


async def test_reader_document_is_downloaded(vk: FakeVkServer, adapter: VkAdapter) -> None:
    update = vk.build_message_new(
        42, "my list", attachments=[vk.doc_attachment(b"rows", title="refs", ext="docx")]
    )
    event = await adapter.converter.convert(update)
    assert event is not None
    [document] = event.attachments
    assert document.kind is AttachmentKind.DOCUMENT
    assert document.file_name == "refs.docx"
    assert document.size == 4

    assert await adapter.messenger.download(document) == b"rows"


async def test_download_of_a_missing_file_is_permanent(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    gone = Attachment(AttachmentKind.PHOTO, platform=Platform.VK, ref=f"{vk.base_url}/files/x")

    with pytest.raises(PermanentError):
        await adapter.messenger.download(gone)


async def test_unsupported_attachment_is_refused(adapter: VkAdapter) -> None:
    sticker = Attachment(AttachmentKind.UNSUPPORTED, data=b"x")

    with pytest.raises(PermanentError):
        await adapter.messenger.send(READER, Reply("x", attachments=(sticker,)))
