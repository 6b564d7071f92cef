"""Readers subscribe to library subjects from the new arrivals menu, choose how often to
hear, see their subscriptions and unsubscribe in one tap, on both platforms; consent comes
first, and forged buttons get a clear answer."""

from __future__ import annotations

import pytest

from handlers.core.replies import Reply
from storage.models import Address, Platform
from storage.subscriptions import Frequency, Subscription
from tests.handlers.conftest import Desk

TELEGRAM_READER = Address(Platform.TELEGRAM, 42)
VK_READER = Address(Platform.VK, 77)


def payloads(reply: Reply) -> list[str]:
    return [button.payload for button in reply.flat_buttons()]


def within_vk_limits(reply: Reply) -> bool:
    return len(reply.flat_buttons()) <= 10 and len(reply.buttons) <= 6


async def consenting(desk: Desk, address: Address) -> int:
    await desk.say(address, "/start")
    await desk.press(address, "consent:yes")
    reader = await desk.storage.readers.get(address)
    assert reader is not None
    return reader.id


@pytest.mark.parametrize("address", [TELEGRAM_READER, VK_READER], ids=["telegram", "vk"])
async def test_subscribe_choose_frequency_and_unsubscribe(desk: Desk, address: Address) -> None:
    reader_id = await consenting(desk, address)
    listing = await desk.press(address, "menu:new")
    assert "sub:home" in payloads(listing)

    home = await desk.press(address, "sub:home")
    assert home.text.startswith("Подпишитесь на темы")
    assert payloads(home) == ["sub:pick:0", "menu:new", "menu:main"]

    pick = await desk.press(address, "sub:pick:0")
    labels = [button.text for button in pick.flat_buttons()]
    assert labels[:2] == ["Кардиология", "Онкология"]
    assert payloads(pick)[-2:] == ["sub:pick:1", "sub:home"]
    assert within_vk_limits(pick)

    await desk.press(address, "sub:t:cardiology:0")
    told, shown = desk.messenger(address).replies_to(address)[-2:]
    assert told.text == "Вы подписаны на тему «Кардиология»."
    assert shown.flat_buttons()[0].text == "✅ Кардиология"
    await desk.press(address, "sub:pick:1")
    await desk.press(address, "sub:t:psychiatry:1")
    assert await desk.storage.subscriptions.get(reader_id) == Subscription(
        ("cardiology", "psychiatry"), Frequency.INSTANT
    )

    home = await desk.press(address, "sub:home")
    assert home.text.split("\n")[:2] == [
        "Ваши темы: Кардиология, Психиатрия.",
        "Присылаем: сразу, как поступления появятся в списке.",
    ]
    assert "sub:f:weekly" in payloads(home) and "sub:off" in payloads(home)

    await desk.press(address, "sub:f:weekly")
    told, home = desk.messenger(address).replies_to(address)[-2:]
    assert told.text == "Готово: присылаем раз в неделю подборкой: по понедельникам, 10:00."
    assert "sub:f:instant" in payloads(home)
    assert (await desk.storage.subscriptions.get(reader_id)).frequency is Frequency.WEEKLY

    # One tap on a ticked subject unsubscribes from it.
    await desk.press(address, "sub:t:cardiology:0")
    told = desk.messenger(address).replies_to(address)[-2]
    assert told.text == "Вы отписаны от темы «Кардиология»."
    assert (await desk.storage.subscriptions.get(reader_id)).subjects == ("psychiatry",)

    # One tap unsubscribes from everything.
    await desk.press(address, "sub:off")
    told, home = desk.messenger(address).replies_to(address)[-2:]
    assert told.text.startswith("Вы отписаны от всех тем.")
    assert home.text.startswith("Подпишитесь на темы")
    assert (await desk.storage.subscriptions.get(reader_id)).subjects == ()
    assert all(within_vk_limits(r) for r in desk.messenger(address).replies_to(address))


async def test_subscribing_asks_for_consent_first_and_then_goes_on(desk: Desk) -> None:
    await desk.say(TELEGRAM_READER, "/start")
    await desk.press(TELEGRAM_READER, "consent:no")
    asked = await desk.press(TELEGRAM_READER, "sub:t:oncology:0")
    assert payloads(asked) == ["consent:yes", "consent:no"]
    reader = await desk.storage.readers.get(TELEGRAM_READER)
    assert reader is not None
    assert (await desk.storage.subscriptions.get(reader.id)).subjects == ()

    await desk.press(TELEGRAM_READER, "consent:yes")
    assert (await desk.storage.subscriptions.get(reader.id)).subjects == ("oncology",)


async def test_english_texts(desk: Desk) -> None:
    reader_id = await consenting(desk, VK_READER)
    await desk.storage.readers.set_language(reader_id, "en")
    await desk.press(VK_READER, "sub:t:nursing:0")
    told, shown = desk.vk.replies_to(VK_READER)[-2:]
    assert told.text == "You are subscribed to «Nursing»."
    assert shown.text.startswith("Press a subject to subscribe")
    home = await desk.press(VK_READER, "sub:home")
    assert home.text.split("\n")[:2] == [
        "Your subjects: Nursing.",
        "We send: as soon as new arrivals are listed.",
    ]


async def test_forged_and_outdated_buttons_get_a_clear_answer(desk: Desk) -> None:
    reader_id = await consenting(desk, TELEGRAM_READER)
    for forged in ("sub:t:no_such:0", "sub:t:cardiology:abc", "sub:f:daily", "sub:zzz", "sub"):
        await desk.press(TELEGRAM_READER, forged)
    texts = [r.text for r in desk.telegram.replies_to(TELEGRAM_READER)]
    assert "Такой темы нет. Выберите тему из списка." in texts
    assert texts.count("Эта кнопка устарела. Вот ваша подписка сейчас.") == 4
    await desk.press(TELEGRAM_READER, "sub:pick:99")
    told, shown = desk.telegram.replies_to(TELEGRAM_READER)[-2:]
    assert told.text.startswith("Эта кнопка устарела")
    assert "sub:pick:0" in payloads(shown)
    assert await desk.storage.subscriptions.get(reader_id) == Subscription((), Frequency.INSTANT)
    assert len(desk.telegram.acknowledged) == 7, "consent, five forged presses, one page"


async def test_unsubscribing_from_everything_takes_a_real_press(desk: Desk) -> None:
    reader_id = await consenting(desk, VK_READER)
    await desk.press(VK_READER, "sub:t:oncology:0")
    home = await desk.press(VK_READER, "sub:home")
    number = payloads(home).index("sub:off") + 1
    await desk.say(VK_READER, str(number), buttons_supported=False)
    assert (await desk.storage.subscriptions.get(reader_id)).subjects == ("oncology",)
    # Typed numbers do work for the other buttons.
    home = await desk.press(VK_READER, "sub:home")
    number = payloads(home).index("sub:pick:0") + 1
    typed = await desk.say(VK_READER, str(number), buttons_supported=False)
    assert typed.text.startswith("Нажмите на тему, чтобы подписаться")


async def test_forget_erases_subscriptions(desk: Desk) -> None:
    reader_id = await consenting(desk, TELEGRAM_READER)
    await desk.press(TELEGRAM_READER, "sub:t:oncology:0")
    await desk.say(TELEGRAM_READER, "/forget")
    confirm = desk.telegram.last(TELEGRAM_READER)
    yes = next(p for p in payloads(confirm) if "yes" in p)
    await desk.press(TELEGRAM_READER, yes)
    assert await desk.storage.readers.get(TELEGRAM_READER) is None
    assert (await desk.storage.subscriptions.get(reader_id)).subjects == ()
