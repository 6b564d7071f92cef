from __future__ import annotations

from bot.playground.platforms.vk_server import FakeVkServer
from bot.vk import VkAdapter
from handlers.core.events import AttachmentKind
from storage.models import Address, Platform


async def test_message_new_becomes_a_text_event(vk: FakeVkServer, adapter: VkAdapter) -> None:
    vk.add_user(42, "Анна", "Петрова")

    event = await adapter.converter.convert(vk.build_message_new(42, "Нужна статья", lang_id=3))

    assert event is not None
    assert event.address == Address(Platform.VK, 42)
    assert event.sender_id == 42
    assert event.text == "Нужна статья"
    assert event.payload is None
    assert event.display_name == "Анна Петрова"
    assert event.language_code == "en"
    assert event.is_private
    assert event.buttons_supported
    assert event.message_id is not None


async def test_display_names_are_cached(vk: FakeVkServer, adapter: VkAdapter) -> None:
    for text in ("a", "b", "c"):
        await adapter.converter.convert(vk.build_message_new(42, text))

    assert len(vk.calls_of("users.get")) == 1


async def test_start_button_is_the_start_command(vk: FakeVkServer, adapter: VkAdapter) -> None:
    update = vk.build_message_new(42, "Начать", payload={"command": "start"})

    event = await adapter.converter.convert(update)

    assert event is not None
    assert event.text == "/start"
    assert event.command == "start"
    assert event.payload is None


async def test_text_button_press_carries_its_payload(vk: FakeVkServer, adapter: VkAdapter) -> None:
    update = vk.build_message_new(42, "Продлить", payload={"p": "renew:3"})

    event = await adapter.converter.convert(update)

    assert event is not None
    assert event.payload == "renew:3"
    assert event.is_button


async def test_foreign_payload_is_ignored(vk: FakeVkServer, adapter: VkAdapter) -> None:
    event = await adapter.converter.convert(vk.build_message_new(42, "hi", payload='{"x": 1}'))

    assert event is not None
    assert event.payload is None
    assert event.text == "hi"


async def test_message_event_becomes_a_button_press(vk: FakeVkServer, adapter: VkAdapter) -> None:
    await adapter.converter.convert(vk.build_message_new(42, "hi", lang_id=3))
    update = vk.build_message_event(42, {"p": "menu:2"}, conversation_message_id=5)

    event = await adapter.converter.convert(update)

    assert event is not None
    assert event.payload == "menu:2"
    assert event.callback_id == update["object"]["event_id"]
    assert event.message_id == 5
    assert event.sender_id == 42
    assert event.language_code == "en"


async def test_group_chat_message(vk: FakeVkServer, adapter: VkAdapter) -> None:
    event = await adapter.converter.convert(
        vk.build_message_new(2_000_000_001, "вопрос", from_id=42)
    )

    assert event is not None
    assert not event.is_private
    assert event.sender_id == 42
    assert event.address.peer_id == 2_000_000_001


async def test_attachments_are_classified(vk: FakeVkServer, adapter: VkAdapter) -> None:
    attachments = [
        vk.photo_attachment(b"big photo", sizes=3),
        vk.doc_attachment(b"pdf", title="article.pdf", ext="pdf"),
        {"type": "audio_message", "audio_message": {"duration": 3}},
        {"type": "sticker", "sticker": {"sticker_id": 1}},
        {"type": "video", "video": {"id": 1}},
        {"type": "wall", "wall": {"id": 1}},
    ]

    event = await adapter.converter.convert(vk.build_message_new(42, "", attachments=attachments))

    assert event is not None
    assert event.text is None
    kinds = [a.kind for a in event.attachments]
    assert (
        kinds == [AttachmentKind.PHOTO, AttachmentKind.DOCUMENT] + [AttachmentKind.UNSUPPORTED] * 4
    )
    photo, document = event.attachments[:2]
    assert photo.ref is not None
    assert await adapter.messenger.download(photo) == b"big photo"
    assert document.file_name == "article.pdf"


async def test_other_update_types_are_skipped(vk: FakeVkServer, adapter: VkAdapter) -> None:
    assert await adapter.converter.convert({"type": "group_join", "object": {"user_id": 1}}) is None
    assert await adapter.converter.convert({"type": "message_reply", "object": {}}) is None
