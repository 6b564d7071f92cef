"""Hostile and broken input gets a clear short answer and never breaks the conversation."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.core.events import Attachment, AttachmentKind, Event
from handlers.core.i18n import Catalog
from handlers.core.messenger import RecipientUnreachable, RetryAfter
from handlers.core.payloads import MAX_PAYLOAD_BYTES, pack, parse
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import Address, ConsentState, Platform
from tests.handlers.conftest import Clock, Desk, build_service
from tests.handlers.hostile_strategies import forged_payload, hostile_text
from tests.support.recording import RecordingMessenger

READER = Address(Platform.TELEGRAM, 42)


async def test_forged_and_stale_payloads_get_the_menu(desk: Desk) -> None:
    await desk.say(READER, "/start")
    for forged in (
        "form:renew:confirm:send",
        "admin:drop",
        "lang:xx",
        "x" * 300,
        "menu:../../etc",
        "consent:yes:and:more:parts:here",
        "",
    ):
        reply = await desk.press(READER, forged)
        assert reply.buttons, forged
    assert len(desk.telegram.acknowledged) == 7


async def test_unknown_command(desk: Desk) -> None:
    await desk.say(READER, "/start")
    reply = await desk.say(READER, "/sudo rm")
    assert "Такой команды нет" in reply.text


async def test_huge_text_is_refused_with_the_limit(desk: Desk) -> None:
    await desk.say(READER, "/start")
    reply = await desk.say(READER, "ы" * 10_000)
    assert "10000" in reply.text and "500" in reply.text


async def test_unsupported_media_gets_an_explanation(desk: Desk) -> None:
    await desk.say(READER, "/start")
    voice = Attachment(AttachmentKind.UNSUPPORTED, Platform.TELEGRAM, ref="voice-1")
    reply = await desk.say(READER, "", attachments=(voice,))
    assert "Голосовые" in reply.text


async def test_numbered_answer_works_where_buttons_cannot_be_shown(desk: Desk) -> None:
    reply = await desk.say(READER, "/start")
    assert reply.flat_buttons()[0].payload == "consent:yes"
    await desk.say(READER, "1", buttons_supported=False)
    reader = await desk.storage.readers.get(READER)
    assert reader is not None and reader.has_consent


async def test_a_number_is_only_text_where_buttons_are_shown(desk: Desk) -> None:
    await desk.say(READER, "/start")
    await desk.say(READER, "1")
    reader = await desk.storage.readers.get(READER)
    assert reader is not None and reader.consent is ConsentState.UNKNOWN


async def test_flood_is_warned_once_then_ignored(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'flood.sqlite3'}"
    await upgrade(url)
    clock = Clock()
    storage = Storage.open(url, clock)
    telegram, vk = RecordingMessenger(Platform.TELEGRAM), RecordingMessenger(Platform.VK)
    service = build_service(storage, telegram, vk, flood_burst=5, clock=clock)
    try:
        for n in range(30):
            await service.handle(Event(address=READER, sender_id=42, text=f"спам {n}"))
        texts = [r.text for r in telegram.replies_to(READER)]
        assert len(texts) == 6
        assert "слишком часто" in texts[-1]
    finally:
        await storage.close()


async def test_user_text_is_never_used_as_a_format_string(desk: Desk) -> None:
    await desk.say(READER, "/start")
    await desk.press(READER, "consent:yes")
    await desk.press(READER, "menu:loans")
    await desk.press(READER, "ln:ask")
    await desk.say(READER, "A1")
    reply = await desk.say(READER, "{0}{library} {days!r}")
    assert "{0}{library} {days!r}" in reply.text


def test_catalogues_are_complete_in_both_languages() -> None:
    catalog = Catalog()
    assert catalog.languages == ["en", "ru"]
    assert catalog.message_ids("ru") == catalog.message_ids("en")
    source = "\n".join(
        p.read_text() for folder in ("handlers", "bot") for p in Path(folder).rglob("*.py")
    )
    for msgid in catalog.message_ids("ru"):
        assert msgid in source or msgid.rsplit("-", 1)[0] in source, f"unused text {msgid}"


@given(st.text(max_size=200))
def test_payload_parser_never_raises(raw: str) -> None:
    payload = parse(raw)
    if payload is not None:
        assert len(payload.encode().encode()) <= MAX_PAYLOAD_BYTES


@given(
    st.lists(
        st.sampled_from(["menu", "form", "ask", "renew", "1", "x_y", "-"]), min_size=1, max_size=5
    )
)
def test_payloads_round_trip(parts: list[str]) -> None:
    assert parse(pack(*parts)) is not None


_NEW_READERS = itertools.count(10**9)

GENERIC_ERRORS = frozenset(
    Catalog().translator(language)("error-generic") for language in Catalog().languages
)
"""What a reader sees when a turn crashed: no input may ever lead there."""


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    platform=st.sampled_from(Platform),
    buttons_supported=st.booleans(),
)
async def test_any_event_gets_an_answer_and_never_raises(
    desk: Desk, data: st.DataObject, platform: Platform, buttons_supported: bool
) -> None:
    """A new reader's turns, each hostile text, a forged payload or a press of a button the
    bot offered last (so that forms and requests are reached too): every one is answered,
    and none with the generic error of a crashed turn."""
    # A new reader per example, so that what the bot offers depends on the drawn turns only.
    peer = next(_NEW_READERS)
    reader = Address(platform, peer)
    messenger = desk.messenger(reader)
    for _ in range(data.draw(st.integers(min_value=1, max_value=6), label="turns")):
        replies = messenger.replies_to(reader)
        offered = [b.payload for b in replies[-1].flat_buttons()] if replies else []
        choices = [hostile_text.map(_said), forged_payload.map(_pressed)]
        if offered:
            choices.append(st.sampled_from(offered).map(_pressed))
        text, payload = data.draw(st.one_of(choices), label="event")
        await desk.service.handle(
            Event(
                address=reader,
                sender_id=peer,
                text=text,
                payload=payload,
                callback_id="cb" if payload is not None else None,
                buttons_supported=buttons_supported,
            )
        )
        answers = messenger.replies_to(reader)[len(replies) :]
        assert answers, (text, payload)
        assert not GENERIC_ERRORS & {answer.text for answer in answers}, (text, payload)


def _said(text: str) -> tuple[str | None, str | None]:
    return text, None


def _pressed(payload: str) -> tuple[str | None, str | None]:
    return None, payload


async def test_a_reply_the_platform_refuses_for_now_goes_through_the_outbox(desk: Desk) -> None:
    desk.telegram.failures.append(RetryAfter(30))
    await desk.service.handle(Event(address=READER, sender_id=42, text="/start"))
    assert desk.telegram.replies_to(READER) == []
    later = datetime.now(UTC) + timedelta(minutes=1)
    deferred = await desk.storage.outbox.claim(10, later, 30)
    assert len(deferred) == 1 and deferred[0].address == READER
    assert "Здравствуйте" in deferred[0].payload["text"]


async def test_a_blocked_reader_is_marked_unreachable_by_a_failed_reply(desk: Desk) -> None:
    desk.telegram.failures.append(RecipientUnreachable("blocked"))
    await desk.service.handle(Event(address=READER, sender_id=42, text="/start"))
    reader = await desk.storage.readers.get(READER)
    assert reader is not None and not reader.reachable
    await desk.say(READER, "/help")
    reader = await desk.storage.readers.get(READER)
    assert reader is not None and reader.reachable
