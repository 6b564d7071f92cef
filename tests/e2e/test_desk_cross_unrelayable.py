"""Files that cannot be relayed across platforms are named, never dropped silently.

A VK reader's file that VK no longer serves (HTTP 404), or one declared over the relay
limit, is named in the Telegram staff chat, and a file that can be relayed still arrives next
to the notice. A Telegram staff member's file over the limit is reported back to staff, and
the VK reader's answer names it.
"""

from __future__ import annotations

import pytest

from bot.outbox.relay import MAX_RELAY_BYTES
from bot.playground.platforms.telegram_server import FakeTelegramServer, FakeUser
from bot.playground.platforms.vk_server import FakeVkServer
from tests.e2e import vk_client
from tests.e2e.conftest import STAFF_CHAT_ID, Launcher
from tests.e2e.desk_cross_client import (
    card_id,
    telegram_staff_message,
    telegram_text_has,
    vk_consenting_reader,
    vk_doc,
    vk_submit,
)
from tests.e2e.telegram_client import text_of

READER = 7003
GOOD = b"%PDF-1.4 a scan the reader could send " * 30
LIMIT_MB = MAX_RELAY_BYTES // (1024 * 1024)


@pytest.mark.parametrize(
    ("case", "notice"),
    [
        ("gone", "⚠️ Файл «spisok.pdf» не переслан: он больше недоступен."),
        ("huge", f"⚠️ Файл «spisok.pdf» не переслан: он больше {LIMIT_MB} МБ."),
    ],
)
async def test_a_file_that_cannot_be_relayed_is_named_to_staff(
    vk: FakeVkServer, telegram: FakeTelegramServer, launch: Launcher, case: str, notice: str
) -> None:
    app = await vk_client.start(launch, vk, telegram)
    if case == "gone":
        # A URL on the fake's file route that it does not serve: HTTP 404.
        bad = vk_doc(vk, "spisok.pdf", f"{vk.base_url}/files/000000000000", size=4096)
    else:
        # Served (relaying would succeed), but declared one byte over the limit.
        bad = vk_doc(vk, "spisok.pdf", vk.add_file(b"tiny"), size=MAX_RELAY_BYTES + 1)
    good = vk.doc_attachment(GOOD, title="skan.pdf")

    await vk_consenting_reader(vk, READER)
    number = await vk_submit(
        vk, READER, "clarifying", "Иванов И. И. Кардиология. — М., 19??", [good, bad]
    )

    card_message_id = await card_id(app, number)
    card = await telegram_staff_message(telegram, lambda m: m.message_id == card_message_id)
    assert "Файлы: skan.pdf, spisok.pdf" in text_of(card)
    files = await telegram_staff_message(
        telegram, telegram_text_has(f"📎 Файлы к запросу №{number}")
    )
    assert notice in text_of(files)
    [relayed] = files.files
    assert relayed.kind == "document" and relayed.uploaded
    assert (relayed.file_name, relayed.data) == ("skan.pdf", GOOD)


async def test_a_staff_file_over_the_limit_is_reported_to_staff_and_named_to_the_reader(
    vk: FakeVkServer, telegram: FakeTelegramServer, launch: Launcher
) -> None:
    staff = FakeUser(555, "Мария", "Иванова")
    app = await vk_client.start(launch, vk, telegram, staff_user_ids=f"telegram:{staff.id}")
    await vk_consenting_reader(vk, READER)
    number = await vk_submit(vk, READER, "factographic", "Год основания библиотеки?", [])
    card_message_id = await card_id(app, number)

    before = len(vk.sent_to(READER))
    telegram.push_document(
        STAFF_CHAT_ID,
        b"%PDF" + bytes(MAX_RELAY_BYTES),
        file_name="fond.pdf",
        caption="Библиотека основана в 1937 году, подробности в файле",
        user=staff,
        reply_to=card_message_id,
    )
    warning = await telegram_staff_message(telegram, telegram_text_has("«fond.pdf»"))
    assert f"больше {LIMIT_MB} МБ и не будет переслан" in text_of(warning)
    answer = await vk_client.reply_after(vk, READER, before, vk_client.contains("Ответ библиотеки"))
    assert "1937" in answer.text
    assert f"⚠️ Файл «fond.pdf» не переслан: он больше {LIMIT_MB} МБ." in answer.text
    assert answer.attachments == ()
