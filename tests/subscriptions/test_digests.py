"""Personal digests: an import adding arrivals of a subject brings each of its subscribers
one message listing them, through the outbox and the fake servers; nothing for other
subjects, nothing twice after a restart or a run cut short; weekly digests once a week;
readers who blocked the bot are skipped from then on."""

from __future__ import annotations

from handlers.arrivals.digests import INSTANT_CURSOR
from storage.models import Address, OutboxStatus, Platform
from storage.subscriptions import Frequency
from tests.subscriptions.conftest import Library

ANNA = Address(Platform.TELEGRAM, 501)
BORIS = Address(Platform.TELEGRAM, 502)
VERA = Address(Platform.VK, 601)
GLEB = Address(Platform.VK, 602)
DINA = Address(Platform.VK, 603)


def telegram_texts(library: Library, address: Address) -> list[str]:
    return [m.text or "" for m in library.telegram.sent_to(address.peer_id)]


def vk_texts(library: Library, address: Address) -> list[str]:
    return [d.text for d in library.vk.sent_to(address.peer_id)]


async def cardiology_readers(library: Library) -> None:
    await library.subscriber(ANNA, "cardiology")
    await library.subscriber(BORIS, "nursing")
    await library.subscriber(VERA, "cardiology", "oncology")
    await library.subscriber(GLEB, "cardiology")
    await library.subscriber(DINA, "cardiology", frequency=Frequency.WEEKLY)


async def test_an_import_brings_each_matching_subscriber_one_message(library: Library) -> None:
    await library.import_csv("Старый атлас ЭКГ;кардиология;2019")
    await cardiology_readers(library)
    assert await library.planner().send_new() == 0, "the first run only notes where we are"

    await library.import_csv(
        "Кардиология: национальное руководство;кардиология;2025",
        "Клиническая онкология;онкология;2024",
        "Аритмии сердца;кардиология;2025",
    )
    assert await library.planner().send_new() == 3
    assert await library.deliver() == 3

    (anna,) = telegram_texts(library, ANNA)
    assert anna.startswith("Новые поступления по темам вашей подписки:")
    assert "Кардиология: национальное руководство" in anna and "Аритмии сердца" in anna
    assert "Клиническая онкология" not in anna and "Старый атлас ЭКГ" not in anna
    (vera,) = vk_texts(library, VERA)
    assert "Клиническая онкология" in vera and "Аритмии сердца" in vera
    (gleb,) = vk_texts(library, GLEB)
    assert gleb == anna, "the same titles read the same on both platforms"
    assert telegram_texts(library, BORIS) == []
    assert vk_texts(library, DINA) == [], "weekly subscribers wait for their day"
    assert library.telegram.sent_to(ANNA.peer_id)[0].reply_markup is not None


async def test_identical_vk_digests_go_in_one_peer_ids_call(library: Library) -> None:
    await library.planner().send_new()
    peers = [Address(Platform.VK, 700 + n) for n in range(5)]
    for peer in peers:
        await library.subscriber(peer, "surgery")
    await library.subscriber(Address(Platform.VK, 799), "surgery", language="en")
    await library.import_csv("Детская хирургия;хирургия;2025")

    assert await library.planner().send_new() == 6
    await library.deliver()

    sends = library.vk.calls_of("messages.send")
    batched = [c for c in sends if "peer_ids" in c.params]
    assert sorted(c.params["peer_ids"] for c in batched) == [
        "700,701,702,703,704",
        "799",
    ], "one call for the five Russian readers, one for the English reader"
    assert all(len(vk_texts(library, peer)) == 1 for peer in peers)
    (english,) = vk_texts(library, Address(Platform.VK, 799))
    assert english.startswith("New arrivals in your subjects:")


async def test_no_message_twice_after_a_restart_or_a_run_cut_short(library: Library) -> None:
    await library.planner().send_new()
    await cardiology_readers(library)
    await library.import_csv("Аритмии сердца;кардиология;2025")
    cursor_before = await library.storage.cursors.load(INSTANT_CURSOR)
    assert await library.planner().send_new() == 3
    assert await library.deliver() == 3

    # A run that died after queueing but before noting the batch as done runs again.
    assert cursor_before is not None
    done = cursor_before.split(":")[0]
    planned = (await library.storage.cursors.load(INSTANT_CURSOR) or "").split(":")[1]
    await library.storage.cursors.save(INSTANT_CURSOR, f"{done}:{planned}")
    await library.restart()
    assert await library.planner().send_new() == 0
    assert await library.planner().send_new() == 0
    assert await library.deliver() == 0
    assert len(telegram_texts(library, ANNA)) == 1
    assert len(vk_texts(library, VERA)) == 1 and len(vk_texts(library, GLEB)) == 1

    # The next import is announced as usual, once.
    await library.import_csv("Сердечная недостаточность;кардиология;2026")
    assert await library.planner().send_new() == 3
    await library.deliver()
    assert len(telegram_texts(library, ANNA)) == 2
    assert "Сердечная недостаточность" in telegram_texts(library, ANNA)[-1]
    assert "Аритмии" not in telegram_texts(library, ANNA)[-1]


async def test_weekly_digest_once_a_week_with_the_weeks_matches(library: Library) -> None:
    await library.planner().send_new()
    await cardiology_readers(library)
    await library.import_csv("Аритмии сердца;кардиология;2025")
    library.clock.advance(days=2)
    await library.import_csv("Сердечная недостаточность;кардиология;2026")
    await library.import_csv("Клиническая онкология;онкология;2024")
    library.clock.advance(days=4)

    assert await library.planner().send_weekly() == 1
    await library.deliver()
    (dina,) = vk_texts(library, DINA)
    assert dina.startswith("Поступления за неделю по темам вашей подписки:")
    assert "Аритмии сердца" in dina and "Сердечная недостаточность" in dina
    assert "Клиническая онкология" not in dina
    assert telegram_texts(library, ANNA) == [], "instant subscribers get no weekly digest"

    await library.restart()
    library.clock.advance(hours=1)
    assert await library.planner().send_weekly() == 0, "the same week is not sent twice"
    library.clock.advance(days=7)
    assert await library.planner().send_weekly() == 0, "a week without matches sends nothing"
    await library.import_csv("Кардиохирургия;кардиология;2026")
    assert await library.planner().send_weekly() == 1
    await library.deliver()
    assert len(vk_texts(library, DINA)) == 2


async def test_a_reader_who_blocked_the_bot_is_skipped_from_then_on(library: Library) -> None:
    await library.planner().send_new()
    await cardiology_readers(library)
    library.telegram.block_next(ANNA.peer_id, count=100)
    library.vk.block(VERA.peer_id)
    await library.import_csv("Аритмии сердца;кардиология;2025")
    await library.planner().send_new()
    await library.deliver()

    arrival = await library.storage.arrivals.newest_id()
    for blocked in (ANNA, VERA):
        reader = await library.storage.readers.get(blocked)
        assert reader is not None and not reader.reachable
        row = await library.storage.outbox.get(f"sdi:{reader.id}:{arrival}")
        assert row is not None and row.status is OutboxStatus.FAILED
    assert len(vk_texts(library, GLEB)) == 1

    calls_before = len(library.telegram.calls_of("sendMessage"))
    vk_before = [c.params.get("peer_ids", "") for c in library.vk.calls_of("messages.send")]
    await library.import_csv("Сердечная недостаточность;кардиология;2026")
    assert await library.planner().send_new() == 1, "only Gleb is still reachable"
    await library.deliver()
    assert len(library.telegram.calls_of("sendMessage")) == calls_before
    vk_after = [c.params.get("peer_ids", "") for c in library.vk.calls_of("messages.send")]
    assert vk_after[len(vk_before) :] == [str(GLEB.peer_id)]
    assert len(vk_texts(library, GLEB)) == 2
