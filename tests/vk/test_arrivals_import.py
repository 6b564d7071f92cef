"""In a VK staff chat, /import replied to a message with a file carries that file, and the
file downloads from VK's document URL."""

from __future__ import annotations

from bot.playground.platforms.vk_server import FakeVkServer
from bot.vk import VkAdapter
from handlers.core.events import AttachmentKind

CHAT_PEER = 2_000_000_001
STAFF = 71


async def test_import_replied_to_a_file_carries_the_file(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    data = "Название;Год\nКардиология;2025\n".encode()
    with_file = vk.build_message_new(
        CHAT_PEER,
        "",
        from_id=STAFF,
        attachments=[vk.doc_attachment(data, title="list.csv", ext="csv")],
    )
    command = await adapter.converter.convert(
        vk.build_message_new(
            CHAT_PEER,
            "/import",
            from_id=STAFF,
            reply_to=with_file["object"]["message"]["conversation_message_id"],
        )
    )

    assert command is not None and command.command == "import"
    [replied] = command.replied_attachments
    assert (replied.kind, replied.file_name, replied.size) == (
        AttachmentKind.DOCUMENT,
        "list.csv",
        len(data),
    )
    assert await adapter.messenger.download(replied) == data


async def test_a_message_replying_to_text_carries_no_files(
    vk: FakeVkServer, adapter: VkAdapter
) -> None:
    plain = vk.build_message_new(CHAT_PEER, "Привет", from_id=STAFF)
    event = await adapter.converter.convert(
        vk.build_message_new(
            CHAT_PEER,
            "/import",
            from_id=STAFF,
            reply_to=plain["object"]["message"]["conversation_message_id"],
        )
    )
    assert event is not None and event.replied_attachments == ()
