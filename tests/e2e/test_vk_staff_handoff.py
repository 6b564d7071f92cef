"""A VK reader's question reaches the staff chat on Telegram through the outbox: the hand-off
across platforms that a stored ``(platform, peer_id)`` address makes possible."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import Application
from storage.models import OutboxItem, OutboxStatus, Platform
from storage.schema import outbox
from tests.e2e.conftest import STAFF_CHAT_ID, Launcher
from tests.e2e.vk_client import eventually, payloads, press, say, start
from tests.fakes.telegram_server import FakeTelegramServer
from tests.fakes.vk_server import FakeVkServer, JsonDict

READER = 7301
QUESTION = "Нужны клинические рекомендации по лечению артериальной гипертензии за 2020–2024 годы"
PHOTO = b"\xff\xd8\xff\xe0 a picture of a reference list"


async def ask(vk: FakeVkServer, *, photo: bool, attachment: JsonDict | None = None) -> None:
    """Walk the "ask a librarian" form on VK up to and including «Отправить»."""
    await say(vk, READER, "Здравствуйте")
    await press(vk, READER, "consent:yes")
    await press(vk, READER, "menu:ask")
    files_prompt = await say(vk, READER, QUESTION)
    assert "form:ask:files:skip" in payloads(files_prompt)
    if photo:
        sent = attachment or vk.photo_attachment(PHOTO)
        received = await say(vk, READER, attachments=[sent])
        assert received.text.startswith("Файлов получено: 1.")
    summary = await press(vk, READER, "form:ask:files:skip")
    assert f"Вопрос: {QUESTION}" in summary.text
    assert ("Файлы: приложено 1" if photo else "Файлы: —") in summary.text
    assert payloads(summary)[0] == "form:ask:confirm:send"
    done = await press(vk, READER, "form:ask:confirm:send")
    assert done.text.startswith("Вопрос отправлен библиотекарю.")


async def staff_row(app: Application) -> OutboxItem:
    """The one outbox row addressed to the staff chat, once it is settled."""
    settled = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.CANCELLED)
    found: list[OutboxItem] = []

    async def done() -> bool:
        statement = select(outbox.c.idempotency_key).where(outbox.c.idempotency_key.like("staff:%"))
        async with app.storage.engine.connect() as conn:
            keys = list((await conn.execute(statement)).scalars())
        items = [item for key in keys if (item := await app.storage.outbox.get(key))]
        found[:] = items
        return len(items) == 1 and items[0].status in settled

    await eventually(done)
    return found[0]


def staff_texts(telegram: FakeTelegramServer) -> list[str]:
    return [m.text or m.caption or "" for m in telegram.sent_to(STAFF_CHAT_ID)]


async def test_question_from_vk_reaches_the_telegram_staff_chat(
    vk: FakeVkServer, telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await start(launch, vk, telegram=telegram)

    await ask(vk, photo=False)

    row = await staff_row(app)
    assert row.address.platform is Platform.TELEGRAM
    assert row.address.peer_id == STAFF_CHAT_ID
    assert row.status is OutboxStatus.SENT, row.last_error
    await telegram.wait_for(lambda: len(staff_texts(telegram)) == 1, timeout=15)
    text = staff_texts(telegram)[0]
    assert text.startswith("Новый запрос: вопрос библиотекарю\nЧитатель: User7301 (vk)")
    assert f"Вопрос: {QUESTION}" in text


async def test_question_with_a_photo_reaches_the_staff_chat_with_the_photo(
    vk: FakeVkServer, telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await start(launch, vk, telegram=telegram)

    await ask(vk, photo=True)

    row = await staff_row(app)
    [attachment] = row.payload["attachments"]
    assert (attachment["kind"], attachment["platform"]) == ("photo", "vk")
    assert attachment["ref"].startswith(vk.base_url), "passed by reference, not as bytes"
    assert row.status is OutboxStatus.SENT, row.last_error

    def photo_relayed() -> bool:
        return any(f.data == PHOTO for m in telegram.sent_to(STAFF_CHAT_ID) for f in m.files)

    await telegram.wait_for(photo_relayed, timeout=15)
    [message] = telegram.sent_to(STAFF_CHAT_ID)
    assert message.method == "sendphoto"
    assert message.files[0].uploaded, "uploaded anew: a VK reference means nothing to Telegram"
    assert f"Вопрос: {QUESTION}" in (message.caption or "")


async def test_a_photo_vk_no_longer_serves_is_named_and_the_request_still_goes(
    vk: FakeVkServer, telegram: FakeTelegramServer, launch: Launcher
) -> None:
    app = await start(launch, vk, telegram=telegram)
    gone = {
        "type": "photo",
        "photo": {
            "id": 1,
            "owner_id": READER,
            "sizes": [
                {"type": "x", "url": f"{vk.base_url}/files/gone", "width": 604, "height": 604}
            ],
        },
    }

    await ask(vk, photo=True, attachment=gone)

    row = await staff_row(app)
    assert row.status is OutboxStatus.SENT, row.last_error
    await telegram.wait_for(lambda: len(staff_texts(telegram)) == 1, timeout=15)
    [message] = telegram.sent_to(STAFF_CHAT_ID)
    assert not message.files
    assert f"Вопрос: {QUESTION}" in (message.text or "")
    assert "⚠️ Файл «photo» не переслан: он больше недоступен." in (message.text or "")


async def test_the_summary_does_not_say_no_files_when_a_photo_is_attached(
    vk: FakeVkServer, launch: Launcher
) -> None:
    await start(launch, vk)
    await say(vk, READER, "Здравствуйте")
    await press(vk, READER, "consent:yes")
    await press(vk, READER, "menu:ask")
    await say(vk, READER, QUESTION)
    await say(vk, READER, attachments=[vk.photo_attachment(PHOTO)])

    summary = await press(vk, READER, "form:ask:files:skip")

    assert "Файлы: приложено 1" in summary.text
    assert "Файлы: —" not in summary.text
