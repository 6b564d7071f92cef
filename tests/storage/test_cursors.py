"""Poll cursors survive a new ``Storage`` on the same database (a restart)."""

from __future__ import annotations

from storage.database import Storage


async def test_a_saved_cursor_is_read_back_after_reopening(
    storage: Storage, database_url: str
) -> None:
    assert await storage.cursors.load("vk:1:longpoll") is None

    await storage.cursors.save("vk:1:longpoll", "41")
    await storage.cursors.save("vk:1:longpoll", "42")
    await storage.cursors.save("vk:2:longpoll", "7")

    async with Storage.open(database_url) as reopened:
        assert await reopened.cursors.load("vk:1:longpoll") == "42"
        assert await reopened.cursors.load("vk:2:longpoll") == "7"
