"""Scheduled digests reach the channel and the wall once, through the fake servers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from handlers.publishing.arrivals import Arrival
from handlers.publishing.posts import Image, Post
from storage.models import Platform
from tests.publishing.conftest import World, cover

MONDAY_10_MSK = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def stock(world: World, count: int = 3, description: str = "Руководство для врачей") -> None:
    for number in range(1, count + 1):
        world.arrivals.add(
            MONDAY_10_MSK - timedelta(days=2, minutes=number),
            Arrival(
                id=number,
                title=f"Кардиология, том {number}",
                authors=("Иванов И. И.",),
                year=2026,
                description=description,
                cover=Image(url=cover(world.vk, number)),
                subjects=("кардиология",),
            ),
        )


async def test_a_digest_is_posted_to_the_channel_and_the_wall(world: World) -> None:
    stock(world)
    world.clock.now = MONDAY_10_MSK
    await world.start()

    await world.post_digest()

    channel = world.channel()
    album = [m for m in channel if m.method == "sendmediagroup"]
    assert len(album) == 3
    assert "Кардиология, том 1" in (album[0].caption or "")
    assert album[0].caption.startswith("Новые поступления в библиотеку (3)")
    # Oldest first: number 3 arrived earliest.
    assert [m.files[0].data for m in album] == [bytes([n]) * 64 for n in (3, 2, 1)]
    [post] = world.vk.wall
    assert post.owner_id == -world.vk.group_id
    assert "Кардиология, том 3" in post.message
    assert len(post.attachments) == 3
    assert all(a.startswith("photo") for a in post.attachments)
    assert [c.params["from_group"] for c in world.vk.calls_of("wall.post")] == ["1"]


async def test_a_restart_never_posts_the_same_digest_twice(world: World) -> None:
    stock(world)
    world.clock.now = MONDAY_10_MSK
    await world.start()
    await world.post_digest()
    posted = (len(world.channel()), len(world.vk.wall))

    world.clock.now = MONDAY_10_MSK + timedelta(minutes=3)
    await world.start()
    await world.post_digest()

    assert (len(world.channel()), len(world.vk.wall)) == posted == (3, 1)


async def test_a_run_missed_while_down_is_caught_up_once_within_the_grace(world: World) -> None:
    stock(world)
    world.clock.now = MONDAY_10_MSK + timedelta(hours=2)
    publishing = await world.start(digest_grace_minutes=180)

    await publishing.digest_job.run()
    await world.post_digest()

    assert len(world.vk.wall) == 1
    assert len([m for m in world.channel() if m.method == "sendmediagroup"]) == 3


async def test_a_run_missed_past_the_grace_is_not_posted(world: World) -> None:
    stock(world)
    world.clock.now = MONDAY_10_MSK + timedelta(hours=4)
    await world.start(digest_grace_minutes=180)

    await world.post_digest()

    assert world.channel() == [] and world.vk.wall == []


async def test_nothing_new_since_the_last_digest_posts_nothing(world: World) -> None:
    stock(world)
    world.clock.now = MONDAY_10_MSK
    await world.start()
    await world.post_digest()

    world.clock.now = MONDAY_10_MSK + timedelta(days=3)  # Thursday 10:00
    await world.post_digest()

    assert len(world.vk.wall) == 1
    assert world.publishing is not None
    run = await world.publishing.digests.run(world.clock.now)
    assert run.arrival_ids == ()


async def test_the_next_digest_starts_where_the_last_ended(world: World) -> None:
    stock(world, count=1)
    world.clock.now = MONDAY_10_MSK
    publishing = await world.start()
    await publishing.digest_job.run()
    world.arrivals.add(
        MONDAY_10_MSK + timedelta(days=1),
        Arrival(id=9, title="Онкология", year=2025),
    )

    world.clock.now = MONDAY_10_MSK + timedelta(days=3)
    await world.post_digest()

    assert len(world.vk.wall) == 2
    assert "Онкология" in world.vk.wall[1].message
    assert "Кардиология" not in world.vk.wall[1].message


async def test_a_long_digest_is_split_within_each_platforms_limits(world: World) -> None:
    stock(world, count=40, description="Подробное описание издания. " * 12)
    world.clock.now = MONDAY_10_MSK
    await world.start()

    await world.post_digest()

    texts = [m for m in world.channel() if m.method == "sendmessage"]
    albums = [m for m in world.channel() if m.method == "sendmediagroup"]
    assert len(texts) >= 3
    assert all(len((m.text or "").encode("utf-16-le")) // 2 <= 4096 for m in texts)
    assert all(len((m.caption or "").encode("utf-16-le")) // 2 <= 1024 for m in albums)
    assert len(albums) == 40
    assert "40. Иванов И. И. Кардиология, том 1 (2026)" in "\n".join(m.text or "" for m in texts)
    photos = sum(len(post.attachments) for post in world.vk.wall)
    assert photos == 40
    assert all(len(post.attachments) <= 10 for post in world.vk.wall)


async def test_the_wall_refuses_the_community_token(world: World) -> None:
    stock(world, count=1)
    world.clock.now = MONDAY_10_MSK
    await world.start(vk_user_token=world.vk.token)

    await world.post_digest()

    assert world.vk.wall == []
    errors = [c for c in world.vk.calls_of("photos.getWallUploadServer")]
    assert errors, "the wall upload was attempted"
    assert world.storage is not None
    row = await world.storage.outbox.get("digest:2026-11-23T10:00:vk:1")
    assert row is not None and "27" in (row.last_error or "")


async def test_without_a_user_token_one_line_says_the_wall_is_off(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    stock(world, count=1)
    world.clock.now = MONDAY_10_MSK
    with caplog.at_level(logging.DEBUG):
        await world.start(vk_user_token="")
        await world.post_digest()

    lines = [r for r in caplog.records if "VK_USER_TOKEN" in r.getMessage()]
    assert len(lines) == 1
    assert world.vk.wall == []
    assert len(world.channel()) == 1


async def test_tokens_never_reach_the_log(world: World, caplog: pytest.LogCaptureFixture) -> None:
    stock(world)
    world.clock.now = MONDAY_10_MSK
    with caplog.at_level(logging.DEBUG):
        publishing = await world.start()
        await world.post_digest()
        world.vk.fail_next(10, method="wall.post")
        await publishing.posts.post_due(world.clock.now)

    assert world.vk.wall
    for secret in (world.telegram.token, world.vk.token, world.vk.user_token):
        assert secret not in caplog.text


async def test_a_wall_post_repeated_after_a_lost_answer_is_posted_once(world: World) -> None:
    stock(world, count=1)
    world.clock.now = MONDAY_10_MSK
    publishing = await world.start()
    await world.post_digest()
    [call] = world.vk.calls_of("wall.post")
    assert call.params["guid"] == "digest:2026-11-23T10:00:vk:1"

    wall = publishing.publishers[Platform.VK]
    again = await wall.publish(Post(text="Повтор"), "digest:2026-11-23T10:00:vk:1")

    assert again == world.vk.wall[0].post_id
    assert len(world.vk.wall) == 1
