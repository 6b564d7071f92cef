"""Staff import files of new arrivals in the staff chat and add single arrivals by hand."""

from __future__ import annotations

from handlers.core.events import Attachment, AttachmentKind, Event
from handlers.core.messenger import TransientError
from storage.models import Platform
from tests.arrivals.marc_samples import iso2709, rusmarc
from tests.staff.conftest import CONFIGURED_STAFF, VK_STAFF, DeskFactory

STRANGER = 9999


def document(ref: str, name: str, size: int | None = None) -> Attachment:
    return Attachment(
        AttachmentKind.DOCUMENT, Platform.TELEGRAM, ref=ref, file_name=name, size=size
    )


async def test_a_file_captioned_import_is_imported_and_summed_up(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    data = iso2709(
        rusmarc("Кардиология", number="RU1", isbn="978-5-9704-0000-5"),
        rusmarc("", number="RU2"),
        encoding="cp1251",
    )
    desk.telegram.files["file-1"] = data

    await desk.staff_says("/import", attachments=(document("file-1", "irbis.iso", len(data)),))

    assert desk.texts()[-1] == (
        "Импорт «irbis.iso»: добавлено 1, обновлено 0, дубликатов 0, отклонено 1.\n"
        "Запись 2: нет заглавия"
    )
    (arrival,) = (await desk.storage.arrivals.latest(0, 10)).items
    assert arrival.record.subjects == ("cardiology",)

    await desk.staff_says("/import", attachments=(document("file-1", "irbis.iso"),))
    assert desk.texts()[-1].startswith(
        "Импорт «irbis.iso»: добавлено 0, обновлено 0, дубликатов 1, отклонено 1."
    )


async def test_only_staff_may_import(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    desk.telegram.files["file-1"] = "Название\nКардиология\n".encode()
    await desk.staff_says("/import", sender=STRANGER, attachments=(document("file-1", "list.csv"),))
    assert desk.texts() == []
    assert (await desk.storage.arrivals.latest(0, 10)).total == 0


async def test_no_file_too_large_or_not_downloaded(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    await desk.staff_says("/import")
    assert desk.texts()[-1].startswith("Пришлите файл (MARC21 или RUSMARC")

    huge = document("file-2", "huge.mrc", size=21 * 1024 * 1024)
    await desk.staff_says("/import", attachments=(huge,))
    assert desk.texts()[-1] == "Файл «huge.mrc» больше 20 МБ: разделите его на части."

    desk.telegram.files["file-3"] = TransientError("network down")
    await desk.staff_says("/import", attachments=(document("file-3", "list.csv"),))
    assert desk.texts()[-1] == "Файл «list.csv» не удалось скачать. Пришлите его ещё раз."


async def test_an_unreadable_file_is_named_with_the_reason(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    desk.telegram.files["file-4"] = b"%PDF-1.7"
    await desk.staff_says("/import", attachments=(document("file-4", "scan.pdf"),))
    assert desk.texts()[-1].startswith("Файл «scan.pdf» не прочитан: формат не распознан")


async def test_manual_entry_with_a_cover_photo(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    photo = Attachment(AttachmentKind.PHOTO, Platform.TELEGRAM, ref="photo-1")

    await desk.staff_says(
        "/arrival Неотложная кардиология | Шляхто, Е. В.; Иванов, И. И. | 2025 | "
        "5-9704-0000-9 | Кардиология; Неотложная помощь",
        attachments=(photo,),
    )

    (arrival,) = (await desk.storage.arrivals.latest(0, 10)).items
    assert desk.texts()[-1] == (
        f"Поступление №{arrival.id} добавлено:\n"
        "Название: Неотложная кардиология\n"
        "Авторы: Шляхто, Е. В.; Иванов, И. И.\n"
        "Год: 2025\n"
        "ISBN: 9785970400005\n"
        "Темы библиотеки: Кардиология\n"
        "Рубрики как написаны: Кардиология; Неотложная помощь\n"
        "Обложка: есть"
    )
    assert arrival.record.cover == "telegram:photo-1"
    assert arrival.record.source == "manual"

    await desk.staff_says("/arrival Неотложная кардиология | | 2025")
    assert desk.texts()[-1].startswith(f"Это издание уже есть в списке (№{arrival.id})")


async def test_manual_entry_refuses_what_it_cannot_read(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    await desk.staff_says("/arrival")
    assert desk.texts()[-1].startswith("Формат: /arrival Название | Авторы | Год | ISBN | темы.")
    await desk.staff_says("/arrival Хирургия | | двадцать")
    assert desk.texts()[-1] == "«двадцать» не похоже на год издания: напишите его четырьмя цифрами."
    await desk.staff_says("/arrival Хирургия | | 2025 | 978-5-9704-0000-4")
    assert desk.texts()[-1] == "ISBN «978-5-9704-0000-4» неверный: проверьте цифры."
    await desk.staff_says("/arrival " + "|" * 10)
    assert desk.texts()[-1].startswith("Формат: /arrival")
    assert (await desk.storage.arrivals.latest(0, 10)).total == 0


async def test_the_staff_help_lists_the_arrival_commands(make_desk: DeskFactory) -> None:
    desk = await make_desk(VK_STAFF)
    await desk.staff_says("/help")
    help_text = desk.texts()[-1]
    assert "/import" in help_text and "/arrival Название | Авторы | Год | ISBN | темы" in help_text


async def test_import_replied_to_a_file(make_desk: DeskFactory) -> None:
    desk = await make_desk()
    desk.telegram.files["file-5"] = "title\nОнкология\n".encode()
    await desk.service.handle(
        Event(
            address=desk.chat,
            sender_id=CONFIGURED_STAFF,
            display_name="Мария Иванова",
            text="/import",
            message_id=60_001,
            is_private=False,
            reply_to_message_id=60_000,
            replied_attachments=(document("file-5", "list.csv"),),
        )
    )
    await desk.drain()
    assert desk.texts()[-1].startswith("Импорт «list.csv»: добавлено 1")
