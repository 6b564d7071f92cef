"""Answer templates, staff signatures and the staff seen in the staff chat."""

from __future__ import annotations

from storage.database import Storage
from storage.models import Platform, StaffMember


async def test_templates_add_get_list_delete(storage: Storage) -> None:
    assert await storage.templates.all() == []
    hours = await storage.templates.add("Часы работы", "Мы открыты с 9 до 18.")
    address = await storage.templates.add("Адрес", "ул. Ленина, 1")

    assert hours.title == "Часы работы"
    assert hours.text == "Мы открыты с 9 до 18."
    assert hours.created_at.tzinfo is not None
    assert await storage.templates.get(hours.id) == hours
    assert await storage.templates.all() == [hours, address]

    assert await storage.templates.delete(hours.id)
    assert not await storage.templates.delete(hours.id)
    assert await storage.templates.get(hours.id) is None
    assert await storage.templates.all() == [address]


async def test_signature_set_replace_and_per_platform(storage: Storage) -> None:
    assert await storage.staff.signature(Platform.TELEGRAM, 7) is None

    await storage.staff.set_signature(Platform.TELEGRAM, 7, "А. Иванова, библиограф")
    await storage.staff.set_signature(Platform.VK, 7, "Олег")
    await storage.staff.set_signature(Platform.TELEGRAM, 7, "Анна Иванова")

    assert await storage.staff.signature(Platform.TELEGRAM, 7) == "Анна Иванова"
    assert await storage.staff.signature(Platform.VK, 7) == "Олег"
    assert await storage.staff.signature(Platform.VK, 8) is None


async def test_known_staff_keep_their_latest_name_per_platform(storage: Storage) -> None:
    assert await storage.staff.known(Platform.TELEGRAM) == []

    await storage.staff.remember(StaffMember(Platform.TELEGRAM, 7, "Аня"))
    await storage.staff.remember(StaffMember(Platform.TELEGRAM, 8, "Борис"))
    await storage.staff.remember(StaffMember(Platform.VK, 7, "Олег"))
    await storage.staff.remember(StaffMember(Platform.TELEGRAM, 7, "Анна Иванова"))

    assert await storage.staff.known(Platform.TELEGRAM) == [
        StaffMember(Platform.TELEGRAM, 7, "Анна Иванова"),
        StaffMember(Platform.TELEGRAM, 8, "Борис"),
    ]
    assert await storage.staff.known(Platform.VK) == [StaffMember(Platform.VK, 7, "Олег")]
