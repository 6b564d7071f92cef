"""Who is in the playground: the sample readers on each platform and the library's staff."""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import Platform

STAFF_CHAT_ID = -1001000000001
"""The staff chat: a Telegram forum supergroup, a topic per ticket."""
CHANNEL_ID = -1001000000002
"""The library's Telegram channel, where announcements go."""
VK_GROUP_ID = 1001
VK_LANGUAGES = {"ru": 0, "en": 3}
"""VK's ``lang_id`` of each language a sample reader speaks."""


@dataclass(frozen=True, slots=True)
class Person:
    """A sample reader or a staff member: whom the page lets you play."""

    key: str
    platform: Platform
    user_id: int
    first_name: str
    last_name: str
    language: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


READERS: tuple[Person, ...] = (
    Person("tg-anna", Platform.TELEGRAM, 5001, "Анна", "Смирнова", "ru"),
    Person("tg-john", Platform.TELEGRAM, 5002, "John", "Carter", "en"),
    Person("vk-olga", Platform.VK, 7001, "Ольга", "Иванова", "ru"),
    Person("vk-emily", Platform.VK, 7002, "Emily", "Stone", "en"),
)
STAFF: tuple[Person, ...] = (
    Person("staff-maria", Platform.TELEGRAM, 901, "Мария", "Библиографова", "ru"),
    Person("staff-oleg", Platform.TELEGRAM, 902, "Олег", "Каталогов", "ru"),
)


def person(key: str, people: tuple[Person, ...]) -> Person:
    """The person with ``key``; KeyError for anyone else (keys come from the page)."""
    for candidate in people:
        if candidate.key == key:
            return candidate
    raise KeyError(key)
