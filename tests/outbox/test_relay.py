"""Files cross platforms by download and upload; what cannot cross is named, not dropped."""

from __future__ import annotations

import pytest

from bot.outbox.relay import AttachmentRelay
from handlers.core.events import Attachment, AttachmentKind, Event
from handlers.core.messenger import PermanentError, TransientError
from handlers.core.replies import Reply
from storage.models import Address, Platform, StaffMember


class FileSource:
    """A messenger that only serves downloads, as scripted."""

    def __init__(self, platform: Platform, files: dict[str, bytes | Exception]) -> None:
        self.platform = platform
        self.files = files
        self.downloads: list[str] = []

    async def send(self, to: Address, reply: Reply, *, idempotency_key: str | None = None) -> int:
        raise AssertionError("the relay never sends")

    async def edit(self, to: Address, message_id: int, reply: Reply) -> None:
        raise AssertionError("the relay never edits")

    async def acknowledge(self, event: Event, notice: str | None = None) -> None:
        raise AssertionError("the relay never acknowledges")

    async def download(self, attachment: Attachment) -> bytes:
        assert attachment.ref is not None
        self.downloads.append(attachment.ref)
        found = self.files[attachment.ref]
        if isinstance(found, Exception):
            raise found
        return found

    async def create_topic(self, chat: Address, title: str) -> int | None:
        return None

    async def reopen_topic(self, chat: Address, topic_id: int) -> None:
        return None

    async def rename_topic(self, chat: Address, topic_id: int, title: str) -> None:
        return None

    async def delete(self, to: Address, message_id: int) -> None:
        return None

    async def is_chat_admin(self, chat: Address, user_id: int) -> bool:
        return False

    async def chat_admins(self, chat: Address) -> list[StaffMember]:
        return []


def vk_photo(ref: str, size: int | None = None) -> Attachment:
    return Attachment(AttachmentKind.PHOTO, Platform.VK, ref=ref, file_name=f"{ref}.jpg", size=size)


def relay_with(
    files: dict[str, bytes | Exception], max_bytes: int = 1000
) -> tuple[AttachmentRelay, FileSource]:
    source = FileSource(Platform.VK, files)
    relay = AttachmentRelay(
        {Platform.VK: source}, lambda name, reason: f"[{reason}: {name}]", max_bytes=max_bytes
    )
    return relay, source


async def test_a_file_from_another_platform_is_downloaded_for_upload() -> None:
    relay, source = relay_with({"https://vk/1": b"JPEG"})
    reply = Reply("Вопрос", attachments=(vk_photo("https://vk/1"),))
    prepared = await relay.prepare(reply, Platform.TELEGRAM)
    assert prepared.text == "Вопрос"
    assert prepared.attachments[0].data == b"JPEG"
    assert source.downloads == ["https://vk/1"]


async def test_files_already_on_the_target_are_left_alone() -> None:
    relay, source = relay_with({})
    reply = Reply("Ответ", attachments=(vk_photo("photo-1_2"),))
    assert await relay.prepare(reply, Platform.VK) is reply
    assert source.downloads == []


async def test_too_large_files_are_named_in_the_text_instead() -> None:
    relay, source = relay_with({"https://vk/2": b"x" * 2000})
    reply = Reply(
        "Вопрос", attachments=(vk_photo("https://vk/big", size=5000), vk_photo("https://vk/2"))
    )
    prepared = await relay.prepare(reply, Platform.TELEGRAM)
    assert prepared.attachments == ()
    assert "[relay-file-too-big: https://vk/big.jpg]" in prepared.text
    assert "[relay-file-too-big: https://vk/2.jpg]" in prepared.text
    assert source.downloads == ["https://vk/2"]  # the declared size spared one download


async def test_a_file_gone_from_its_platform_is_named() -> None:
    relay, _ = relay_with({"https://vk/3": PermanentError("404")})
    prepared = await relay.prepare(
        Reply("", attachments=(vk_photo("https://vk/3"),)), Platform.TELEGRAM
    )
    assert prepared.text == "[relay-file-unavailable: https://vk/3.jpg]"


async def test_a_transient_download_failure_makes_the_row_retry() -> None:
    relay, _ = relay_with({"https://vk/4": TransientError("timeout")})
    with pytest.raises(TransientError):
        await relay.prepare(Reply("", attachments=(vk_photo("https://vk/4"),)), Platform.TELEGRAM)
