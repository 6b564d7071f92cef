"""LOAD TEST. Two ``python -m bot`` processes on one PostgreSQL database, in webhook mode
behind one fake Telegram server, sharing Telegram's limits through Redis; the test is the load
balancer, handing updates to the two in turn. Needs TEST_DATABASE_URL and a Redis.

One deployment, four checks in turn: a thousand readers each answered once; staff answers
delivered once; a scheduled job run once across the two; and after SIGKILL of the process
running the scheduler, the other one runs the job's next runs. The fake refuses anything over
Telegram's limits with a 429 throughout, and the test allows none."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import time
from asyncio.subprocess import Process
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.playground.platforms.telegram_server import FakeTelegramServer, FakeUser, SentMessage
from storage.database import create_engine
from storage.migrate import upgrade
from storage.schema import tickets
from tests.e2e.conftest import STAFF_CHAT_ID
from tests.e2e.desk_client import STAFF, TICKET_NUMBER, reader_user
from tests.e2e.telegram_client import text_of
from tests.e2e.threaded_fake import ThreadedTelegramServer
from tests.ops.conftest import eventually, needs_postgres
from tests.ops.test_shared_limiters import REDIS_URL
from tests.support.processes import bot_command

READERS = 1000
FIRST_CHAT = 800_000
URL = "https://bot.library.example/telegram/webhook"
SECRET = "webhook-s3cret"
LIBRARY = "Кузбасская научная медицинская библиотека"
ASKING = [reader_user(5401 + n, "Читатель", f"Номер{n}") for n in range(4)]
"""Readers whose requests staff answer: few, because the staff chat is a group and Telegram
lets a bot post 20 messages a minute there."""
PROBE_EVERY = 3.0
"""The probe job's interval: many lock retries (below) fit between two of its runs."""
LOCK_RETRY = 0.2
WITHIN = 120.0
"""Seconds to wait for anything: generous, the machine is shared."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def update(number: int, chat: int) -> dict[str, object]:
    person = {"id": chat, "is_bot": False, "first_name": "Reader"}
    message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private", "first_name": "Reader"},
        "from": person,
        "text": "/start",
    }
    return {"update_id": number, "message": message}


@pytest.fixture
async def redis_url() -> str:
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (RedisError, OSError):
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    finally:
        await client.aclose()
    return REDIS_URL


@pytest.fixture
async def strict_telegram() -> AsyncIterator[ThreadedTelegramServer]:
    """The fake with a token of this run's own: the shared limiter keys its Redis windows by
    the token, and a run with the suite's usual token would share them with the entries an
    earlier run (on another clock, maybe) left there for the next minute and a half."""
    token = f"{1 + secrets.randbelow(10**9)}:TEST-two-processes-{secrets.token_hex(8)}"
    async with ThreadedTelegramServer(enforce_limits=True, token=token) as server:
        yield server


class Balancer:
    """Telegram's webhook delivery as the test plays it: whatever the fake has queued goes to
    the two processes in turn."""

    def __init__(
        self, server: ThreadedTelegramServer, http: aiohttp.ClientSession, ports: list[int]
    ) -> None:
        self._server = server
        self._http = http
        self._ports = ports
        self._turn = 0

    async def post(self, update: dict[str, object]) -> None:
        port = self._ports[self._turn % len(self._ports)]
        self._turn += 1
        async with self._http.post(
            f"http://127.0.0.1:{port}/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        ) as response:
            assert response.status == 200

    async def push(self, action: Callable[[FakeTelegramServer], object]) -> None:
        """Let the fake queue an update (``push_message``, ``push_callback``…), then post it."""

        def queue(fake: FakeTelegramServer) -> list[dict[str, object]]:
            action(fake)
            return fake.take_updates()

        for queued in await self._server.run(queue):
            await self.post(queued)


async def reader_gets(
    fake: FakeTelegramServer, user: FakeUser, since: int, until: Callable[[str], bool], what: str
) -> SentMessage:
    """The first message the bot sends ``user`` from their ``since``-th on whose text satisfies
    ``until``. Waiting in vain fails with what the reader did get instead."""

    def found() -> SentMessage | None:
        after = fake.sent_to(user.id)[since:]
        return next((m for m in after if until(text_of(m))), None)

    try:
        await eventually(lambda: found() is not None, within=WITHIN)
    except TimeoutError:
        got = [text_of(m) for m in fake.sent_to(user.id)[since:]]
        raise AssertionError(
            f"reader {user.id} waited {WITHIN:.0f} s for {what}; the bot sent them: {got!r}"
        ) from None
    message = found()
    assert message is not None
    return message


class Reader:
    """One reader's private chat, driven through the balancer."""

    def __init__(self, user: FakeUser, balancer: Balancer, fake: FakeTelegramServer) -> None:
        self.user = user
        self._balancer = balancer
        self._fake = fake

    async def _answer(
        self, act: Callable[[FakeTelegramServer], object], until: Callable[[str], bool], what: str
    ) -> SentMessage:
        """The first message after ``act`` whose text satisfies ``until``."""
        before = len(self._fake.sent_to(self.user.id))
        await self._balancer.push(act)
        return await reader_gets(self._fake, self.user, before, until, what)

    async def says(self, text: str, until: Callable[[str], bool] = bool) -> SentMessage:
        return await self._answer(
            lambda f: f.push_message(self.user.id, text, user=self.user),
            until,
            f"an answer to {text!r}",
        )

    async def presses(self, data: str, until: Callable[[str], bool] = bool) -> SentMessage:
        newest = self._fake.sent_to(self.user.id)[-1].message_id
        return await self._answer(
            lambda f: f.push_callback(self.user.id, data, newest, user=self.user),
            until,
            f"an answer to the button {data!r}",
        )

    async def asks(self, question: str) -> int:
        """Consent, then the address form to its ticket number."""
        await self.says("/start")
        await self.presses("consent:yes")
        await self.presses("menu:ask")
        await self.presses("ask:address")
        await self.says(question)
        await self.presses("form:address:files:skip")
        accepted = await self.presses(
            "form:address:confirm:send", until=lambda text: bool(TICKET_NUMBER.search(text))
        )
        match = TICKET_NUMBER.search(text_of(accepted))
        assert match is not None
        return int(match.group(1))


async def started(command: list[str], environment: dict[str, str], log: Path) -> Process:
    """Start a bot process writing what it prints to ``log``, for a failure to be read."""
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        return await asyncio.create_subprocess_exec(
            *command, env=environment, stdout=output, stderr=output
        )
    finally:
        os.close(output)


def refusals(fake: FakeTelegramServer) -> str:
    """Each call the fake refused with a 429, with what it had let through in the second
    before: to the same chat (how long before), and in all."""
    refused = {id(call) for call in fake.refused}
    passed = [c for c in fake.calls if c.method.startswith("send") and id(c) not in refused]
    lines = []
    for call in fake.refused:
        earlier = [c for c in passed if 0 <= call.at - c.at < 1.0]
        chat = call.params.get("chat_id")
        same = [f"{call.at - c.at:.3f}" for c in earlier if c.params.get("chat_id") == chat]
        lines.append(
            f"{call.method} to {chat}: {len(earlier)} calls in the second before, "
            f"{len(same)} to this chat ({', '.join(same)} s before)"
        )
    return "\n".join(lines)


def answer_heading(number: int) -> str:
    return f"Ответ библиотеки на ваш запрос №{number}"


def answers_to(fake: FakeTelegramServer, user: FakeUser, number: int) -> list[SentMessage]:
    return [m for m in fake.sent_to(user.id) if answer_heading(number) in text_of(m)]


class ProbeLog:
    """The lines the processes' probe job and election write (see bot_process.py): who ran
    which scheduled run, and when each process was refused the scheduler lock."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lines(self) -> list[tuple[int, str, str]]:
        if not self.path.exists():
            return []
        rows = [line.split() for line in self.path.read_text(encoding="utf-8").splitlines()]
        return [(int(pid), what, moment) for pid, what, moment in rows]

    def runs(self) -> list[tuple[int, str]]:
        return [(pid, moment) for pid, what, moment in self.lines() if what == "ran"]

    def refused_after(self, pid: int, moment: str) -> bool:
        # ISO times in UTC with the same format compare as text.
        return any(
            who == pid and what == "refused" and when > moment for who, what, when in self.lines()
        )


@needs_postgres
async def test_two_processes_share_readers_staff_answers_limits_and_one_scheduler(
    postgres_url: str,
    redis_url: str,
    strict_telegram: ThreadedTelegramServer,
    tmp_path: Path,
) -> None:
    telegram = strict_telegram.fake
    await upgrade(postgres_url)
    ports = [free_port(), free_port()]
    probe = ProbeLog(tmp_path / "probe.log")
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TELEGRAM_", "VK_", "STAFF_", "DATABASE_URL", "REDIS_URL"))
    } | {
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis_url,
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_BASE": telegram.base_url,
        "TELEGRAM_MODE": "webhook",
        "TELEGRAM_WEBHOOK_URL": URL,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "STAFF_CHAT": f"telegram:{STAFF_CHAT_ID}",
        "STAFF_USER_IDS": f"telegram:{STAFF.id}",
        "SCHEDULER_LOCK_RETRY_SECONDS": str(LOCK_RETRY),
        "LIBRARY_NAME": LIBRARY,
        "WEB_HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    command = bot_command(probe=(PROBE_EVERY, probe.path))
    processes = [
        await started(command, environment | {"WEB_PORT": str(port)}, tmp_path / f"bot-{port}.log")
        for port in ports
    ]
    chats = range(FIRST_CHAT, FIRST_CHAT + READERS)
    engine = create_engine(postgres_url)
    try:
        async with aiohttp.ClientSession() as http:

            async def ready(port: int) -> bool:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                        return response.status == 200
                except aiohttp.ClientError:
                    return False

            async with asyncio.timeout(WITHIN):
                while not all([await ready(port) for port in ports]):  # noqa: ASYNC110
                    await asyncio.sleep(0.2)
            balancer = Balancer(strict_telegram, http, ports)

            # 1. A thousand readers at once.
            await asyncio.gather(*(balancer.post(update(n, chat)) for n, chat in enumerate(chats)))
            await eventually(
                lambda: sum(1 for m in telegram.sent if m.chat_id in chats) >= READERS,
                within=180,
            )

            # 2. Readers ask, staff answer in the staff chat; every update to either process.
            async def asked_and_answered(user: FakeUser) -> int:
                number = await Reader(user, balancer, telegram).asks(
                    f"Шевченко Ю. Л. Кардиохирургия, 2019 (читатель {user.id})"
                )

                async def card() -> int | None:
                    async with engine.connect() as connection:
                        found: int | None = await connection.scalar(
                            select(tickets.c.card_message_id).where(tickets.c.id == number)
                        )
                    return found

                card_id: int | None = None
                async with asyncio.timeout(WITHIN):
                    # Polling: the card's id is recorded by whichever process sent it.
                    while (card_id := await card()) is None:  # noqa: ASYNC110
                        await asyncio.sleep(0.1)
                before = len(telegram.sent_to(user.id))
                await balancer.push(
                    lambda f: f.push_message(
                        STAFF_CHAT_ID,
                        f"Есть в читальном зале, шифр 616.12-{number}.",
                        user=STAFF,
                        reply_to=card_id,
                    )
                )
                heading = answer_heading(number)
                await reader_gets(
                    telegram, user, before, lambda text: heading in text, "the staff answer"
                )
                return number

            numbers = await asyncio.gather(*(asked_and_answered(user) for user in ASKING))

        # 3. The probe job runs in one process only.
        await eventually(lambda: len(probe.runs()) >= 2, within=WITHIN)
        leaders = {pid for pid, _ in probe.runs()}
        assert len(leaders) == 1, "only the process holding the lock runs the scheduler"
        [leader] = leaders
        [follower] = [p.pid for p in processes if p.pid != leader]

        # 4. SIGKILL of the scheduler's process, once the other has been refused the lock
        # after the latest run (a successor skips the runs due before its last refusal: its
        # predecessor made them).
        last = probe.runs()[-1][1]
        await eventually(lambda: probe.refused_after(follower, last), within=WITHIN)
        os.kill(leader, signal.SIGKILL)
        killed_runs = len(probe.runs())
        await eventually(
            lambda: any(pid == follower for pid, _ in probe.runs()[killed_runs:]), within=WITHIN
        )
    finally:
        await engine.dispose()
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            await process.wait()

    per_chat = Counter(message.chat_id for message in telegram.sent if message.chat_id in chats)
    assert set(per_chat) == set(chats)
    assert max(per_chat.values()) == 1, "no reader got the welcome twice"
    assert all(
        LIBRARY in (message.text or "") for message in telegram.sent if message.chat_id in chats
    )

    assert len(set(numbers)) == len(ASKING)
    for user, number in zip(ASKING, numbers, strict=True):
        assert len(answers_to(telegram, user, number)) == 1, "each answer reaches its reader once"
        cards = [m for m in telegram.sent_to(STAFF_CHAT_ID) if f"Запрос №{number} ·" in text_of(m)]
        assert len(cards) == 1, "each ticket has one card in the staff chat"

    runs = probe.runs()
    assert max(Counter(moment for _, moment in runs).values()) == 1, "no run was made twice"
    before_kill, after_kill = runs[:killed_runs], runs[killed_runs:]
    assert {pid for pid, _ in before_kill} == {leader}
    assert after_kill and {pid for pid, _ in after_kill} == {follower}
    assert after_kill[0][1] > before_kill[-1][1], "the successor takes over the next run"

    # The shared limiter holds each call's slot until its answer, so however late a loaded
    # process sends an admitted message, the fake never sees more than Telegram allows.
    assert telegram.too_many_requests == 0, refusals(telegram)
    returncodes = {process.pid: process.returncode for process in processes}
    assert returncodes == {leader: -signal.SIGKILL, follower: 0}
