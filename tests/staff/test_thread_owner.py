"""thread_owner: how the reference desk and renewal requests find what a staff message is
about, its forum topic first, then the post it replies to."""

from __future__ import annotations

from handlers.core.events import Event
from handlers.core.staff_chat import thread_owner
from storage.models import Address, Platform

CHAT = Address(Platform.TELEGRAM, -100500)


class Threads:
    """Items by topic id and by post id, and every lookup asked of them."""

    def __init__(self, topics: dict[int, str], posts: dict[int, str]) -> None:
        self._topics = topics
        self._posts = posts
        self.asked: list[tuple[str, Address, int]] = []

    async def by_topic(self, chat: Address, topic_id: int) -> str | None:
        self.asked.append(("topic", chat, topic_id))
        return self._topics.get(topic_id)

    async def by_post(self, chat: Address, message_id: int) -> str | None:
        self.asked.append(("post", chat, message_id))
        return self._posts.get(message_id)


def staff_message(*, thread_id: int | None = None, reply_to: int | None = None) -> Event:
    return Event(
        address=CHAT,
        sender_id=7,
        text="Ответ",
        is_private=False,
        thread_id=thread_id,
        reply_to_message_id=reply_to,
    )


async def owner(threads: Threads, event: Event) -> str | None:
    return await thread_owner(event, threads.by_topic, threads.by_post)


async def test_the_topic_decides_before_the_post_replied_to() -> None:
    threads = Threads(topics={101: "ticket 1"}, posts={55: "ticket 2"})
    assert await owner(threads, staff_message(thread_id=101, reply_to=55)) == "ticket 1"
    assert threads.asked == [("topic", CHAT, 101)]


async def test_a_topic_of_nothing_falls_back_to_the_post_replied_to() -> None:
    threads = Threads(topics={}, posts={55: "ticket 2"})
    assert await owner(threads, staff_message(thread_id=999, reply_to=55)) == "ticket 2"
    assert threads.asked == [("topic", CHAT, 999), ("post", CHAT, 55)]


async def test_a_reply_outside_any_topic_is_looked_up_by_its_post() -> None:
    threads = Threads(topics={101: "ticket 1"}, posts={55: "ticket 2"})
    assert await owner(threads, staff_message(reply_to=55)) == "ticket 2"
    assert threads.asked == [("post", CHAT, 55)]


async def test_other_chatter_belongs_to_nothing() -> None:
    threads = Threads(topics={101: "ticket 1"}, posts={55: "ticket 2"})
    assert await owner(threads, staff_message()) is None
    assert await owner(threads, staff_message(thread_id=999)) is None
    assert await owner(threads, staff_message(reply_to=56)) is None
    assert threads.asked == [("topic", CHAT, 999), ("post", CHAT, 56)]
