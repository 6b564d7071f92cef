"""The staff side: approving digests, the content calendar, polls and virtual exhibitions,
driven through the real staff service against the fake servers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.core.events import Attachment, AttachmentKind
from handlers.publishing.arrivals import Arrival
from handlers.publishing.posts import Image
from storage.models import Platform
from storage.publishing import DigestStatus
from tests.publishing.conftest import PETR, World, cover
from tests.publishing.test_digests import MONDAY_10_MSK, stock

TELEGRAM = Platform.TELEGRAM


async def offered_card(world: World) -> int:
    stock(world)
    world.clock.now = MONDAY_10_MSK
    await world.start(digest_approval=True)
    await world.post_digest()
    [card] = world.staff_posts()
    assert card.text.startswith("Дайджест новых поступлений ждёт решения: 3")
    assert world.channel() == [] and world.vk.wall == []
    return int(card.message_id)


def buttons(world: World, card: int) -> list[str]:
    message = next(m for m in world.staff_posts() if m.message_id == card)
    markup = message.reply_markup or {}
    return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]


async def test_publish_puts_the_digest_on_both_platforms_and_names_the_decider(
    world: World,
) -> None:
    card = await offered_card(world)
    publish, _skip = buttons(world, card)

    query = await world.press(publish, card)

    assert len(world.vk.wall) == 1
    assert len([m for m in world.channel() if m.method == "sendmediagroup"]) == 3
    [answer] = [a for a in world.telegram.callback_answers if a.callback_query_id == query]
    assert answer.text == "Дайджест поставлен в очередь на публикацию"
    edited = next(m for m in world.staff_posts() if m.message_id == card)
    assert edited.text.endswith("Опубликовал(а): Мария")
    assert edited.reply_markup is None or not edited.reply_markup.get("inline_keyboard")


async def test_skip_posts_nothing_and_a_second_press_or_a_colleague_is_told(
    world: World,
) -> None:
    card = await offered_card(world)
    publish, skip = buttons(world, card)

    await world.press(skip, card)
    late = await world.press(publish, card, user=PETR)
    again = await world.press(skip, card)

    assert world.channel() == [] and world.vk.wall == []
    answers = {a.callback_query_id: a.text for a in world.telegram.callback_answers}
    assert answers[late] == "Уже решено: Мария"
    assert answers[again] == "Уже решено: Мария"
    assert len(world.telegram.callback_answers) == 3
    edited = next(m for m in world.staff_posts() if m.message_id == card)
    assert edited.text.endswith("Пропустил(а): Мария")
    assert world.storage is not None
    run = await world.storage.digests.get(MONDAY_10_MSK)
    assert run is not None and run.status is DigestStatus.SKIPPED


async def test_forged_digest_presses_get_a_clear_answer(world: World) -> None:
    card = await offered_card(world)

    for data in ("digest:publish:999999", "digest:boom:1", "digest:publish:x", "digest"):
        query = await world.press(data, card)
        [answer] = [a for a in world.telegram.callback_answers if a.callback_query_id == query]
        assert answer.text

    assert world.channel() == [] and world.vk.wall == []


async def test_a_scheduled_poll_goes_to_the_channel_and_onto_the_wall(world: World) -> None:
    world.clock.now = MONDAY_10_MSK
    publishing = await world.start()

    await world.staff_says("/poll 23.11.2026 12:00 Какой формат удобнее? | Вебинар | Лекция")
    assert "Запланировано под номером 1 на 23.11.2026 12:00" in world.staff_posts()[-1].text
    await publishing.calendar_job.run()
    await world.deliver()
    assert world.channel() == []

    world.clock.now = MONDAY_10_MSK + timedelta(hours=2)
    await publishing.calendar_job.run()
    await publishing.calendar_job.run()
    await world.deliver()

    [poll] = world.channel()
    assert poll.method == "sendpoll"
    assert poll.text == "Какой формат удобнее?"
    assert poll.poll_options == ["Вебинар", "Лекция"]
    [post] = world.vk.wall
    [attachment] = post.attachments
    assert world.vk.polls[attachment] == ("Какой формат удобнее?", ["Вебинар", "Лекция"])


async def test_bad_polls_and_dates_get_the_usage(world: World) -> None:
    world.clock.now = MONDAY_10_MSK
    await world.start()

    for command in (
        "/poll 23.11.2026 12:00 Только вопрос",
        "/poll 31.02.2026 12:00 Вопрос | а | б",
        "/poll завтра Вопрос | а | б",
        "/poll 23.11.2026 12:00 " + "В" * 301 + " | а | б",
    ):
        await world.staff_says(command)
        assert world.staff_posts()[-1].text.startswith("Формат: /poll")
    await world.staff_says("/poll 01.01.2020 12:00 Вопрос | а | б")
    assert world.staff_posts()[-1].text == "Это время уже прошло; укажите будущую дату"


async def test_a_post_with_a_photo_is_scheduled_listed_and_cancelled(world: World) -> None:
    world.clock.now = MONDAY_10_MSK
    publishing = await world.start()
    photo = world.telegram.add_file(b"\x89PNG" * 40, file_name="poster.png")

    await world.staff_says(
        "/schedule 24.11.2026 09:30 День открытых дверей <b>в библиотеке</b>",
        attachments=(Attachment(AttachmentKind.PHOTO, platform=TELEGRAM, ref=photo.file_id),),
    )
    await world.staff_says("/schedule 25.11.2026 09:30 Второй пост")
    await world.staff_says("/scheduled")
    listing = world.staff_posts()[-1].text
    assert "#1 24.11.2026 09:30 [post] День открытых дверей" in listing
    assert "#2 25.11.2026 09:30 [post] Второй пост" in listing

    await world.staff_says("/unschedule 2")
    assert world.staff_posts()[-1].text == "Публикация 2 отменена"
    await world.staff_says("/unschedule 2")
    assert world.staff_posts()[-1].text == "Публикации 2 нет среди запланированных"

    world.clock.now = datetime(2026, 11, 24, 6, 31, tzinfo=UTC)  # 09:31 in Moscow
    await publishing.calendar_job.run()
    await world.deliver()

    [photo_post] = world.channel()
    assert photo_post.method == "sendphoto"
    assert photo_post.caption == "День открытых дверей <b>в библиотеке</b>"
    assert photo_post.parse_mode is None
    assert photo_post.files[0].file_id == photo.file_id
    [wall] = world.vk.wall
    assert wall.message == "День открытых дверей <b>в библиотеке</b>"
    assert world.vk.saved_bytes(wall.attachments[0]) == b"\x89PNG" * 40


async def test_a_virtual_exhibition_is_published_at_once_as_albums(world: World) -> None:
    for number in range(1, 13):
        world.arrivals.add(
            MONDAY_10_MSK - timedelta(days=number),
            Arrival(
                id=number,
                title=f"Сердце и сосуды {number}",
                authors=("Петров П. П.",),
                year=2025,
                description="Краткое описание",
                cover=Image(url=cover(world.vk, number)),
                subjects=("кардиология",),
            ),
        )
    world.clock.now = MONDAY_10_MSK
    await world.start()

    await world.staff_says("/exhibit Здоровое сердце | кардиология")

    albums = [m for m in world.channel() if m.method == "sendmediagroup"]
    assert len(albums) == 12
    assert albums[0].caption.startswith("Виртуальная выставка «Здоровое сердце»")
    assert "12. Петров П. П. Сердце и сосуды 12 (2025)" in albums[0].caption
    assert albums[1].caption == "Петров П. П. Сердце и сосуды 2 (2025)"
    assert [len(p.attachments) for p in world.vk.wall] == [10, 2]
    assert "Виртуальная выставка «Здоровое сердце»" in world.vk.wall[0].message


async def test_a_virtual_exhibition_by_ids_can_wait_for_its_time(world: World) -> None:
    for number in (5, 6):
        world.arrivals.add(
            MONDAY_10_MSK - timedelta(days=1),
            Arrival(id=number, title=f"Книга {number}", cover=Image(url=cover(world.vk, number))),
        )
    world.clock.now = MONDAY_10_MSK
    publishing = await world.start()

    await world.staff_says("/exhibit 24.11.2026 10:00 Новинки | 6, 5, 404")
    assert world.channel() == []
    await world.staff_says("/exhibit Пусто | 404")
    assert world.staff_posts()[-1].text == "Поступлений для выставки не нашлось"
    await world.staff_says("/exhibit 01.11.2026 10:00 Прошлое | 5")
    assert world.staff_posts()[-1].text == "Это время уже прошло; укажите будущую дату"

    world.clock.now = MONDAY_10_MSK + timedelta(days=1)
    await publishing.calendar_job.run()
    await world.deliver()

    albums = [m for m in world.channel() if m.method == "sendmediagroup"]
    assert [m.files[0].data for m in albums] == [bytes([6]) * 64, bytes([5]) * 64]
    assert len(world.vk.wall) == 1


async def test_a_csv_calendar_sent_to_the_staff_chat_posts_each_date_on_its_day(
    world: World,
) -> None:
    world.clock.now = MONDAY_10_MSK
    publishing = await world.start(calendar_post_time="09:00")
    csv = (
        "date,text,image_url\n"
        "24.11,День рождения Н. И. Пирогова,\n"
        "2026-11-25,Всемирный день борьбы со СПИДом скоро,\n"
        "32.13,Плохая дата,\n"
        "26.11,,\n"
        "27.11,Картинка не та,ftp://example.org/x.png\n"
    ).encode()
    document = world.telegram.add_file(csv, file_name="dates.csv")
    attachment = Attachment(
        AttachmentKind.DOCUMENT,
        platform=TELEGRAM,
        ref=document.file_id,
        file_name="dates.csv",
    )

    await world.staff_says("", attachments=(attachment,))
    assert world.staff_posts()[-1].text == (
        "Календарь загружен: добавлено 2, уже были 0, отклонены строки: 4 (date), 5 (text), "
        "6 (image_url)"
    )
    await world.staff_says("", attachments=(attachment,))
    assert "добавлено 0, уже были 2" in world.staff_posts()[-1].text

    world.clock.now = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
    await publishing.calendar_job.run()
    await world.deliver()

    assert [m.text for m in world.channel()] == ["День рождения Н. И. Пирогова"]
    assert [p.message for p in world.vk.wall] == ["День рождения Н. И. Пирогова"]


async def test_a_csv_that_is_not_a_calendar_is_left_to_other_features(world: World) -> None:
    world.clock.now = MONDAY_10_MSK
    await world.start()
    arrivals = "isbn,title\n978-5-00-000000-0,Кардиология\n".encode()
    document = world.telegram.add_file(arrivals, file_name="arrivals.csv")

    await world.staff_says(
        "",
        attachments=(
            Attachment(
                AttachmentKind.DOCUMENT,
                platform=TELEGRAM,
                ref=document.file_id,
                file_name="arrivals.csv",
            ),
        ),
    )

    assert world.staff_posts() == []
    assert world.storage is not None
    assert await world.storage.calendar.upcoming() == []


async def test_a_post_due_while_the_bot_was_down_too_long_is_missed_not_posted(
    world: World,
) -> None:
    world.clock.now = MONDAY_10_MSK
    publishing = await world.start(digest_grace_minutes=60)
    await world.staff_says("/schedule 23.11.2026 11:00 С днём медицинской сестры")
    await world.staff_says("/schedule 23.11.2026 14:00 Лекция сегодня")

    world.clock.now = MONDAY_10_MSK + timedelta(hours=4, minutes=30)  # 14:30 in Moscow
    await publishing.calendar_job.run()
    await world.deliver()

    assert [m.text for m in world.channel()] == ["Лекция сегодня"]
    assert [p.message for p in world.vk.wall] == ["Лекция сегодня"]
    assert world.storage is not None
    assert await world.storage.calendar.upcoming() == []
