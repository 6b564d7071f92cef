"""How fast the bot takes in readers' texts, against a bare aiogram echo bot in the same run.

Both bots long-poll the same fake Telegram, which runs on a thread of its own; its limits
and the bot's own rate limiter are off. First a bare aiogram 3 bot that echoes every text,
then the real application (``bot.app``) with ``N`` readers who have already consented; each
reader sends ``M`` texts. Printed for both: messages/s (from the first text queued to the
last answer sent) and CPU ms per message (the process's CPU time less the fake's thread),
then the ratio of the two rates.

    python -m bench.ingest                       # 200 readers × 10 texts, SQLite
    python -m bench.ingest 100 5                 # 100 readers × 5 texts
    python -m bench.ingest --database postgres   # the app on PostgreSQL too (needs
                                                 # BENCH_DATABASE_URL or TEST_DATABASE_URL)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
from sqlalchemy import text

from bot.app import Application
from bot.ratelimit import Limit
from storage.database import async_url, create_engine
from tests.e2e.conftest import make_settings
from tests.e2e.threaded_fake import ThreadedTelegramServer

FIRST_CHAT = 900_000
WAIT_SECONDS = 600.0
POSTGRES_ENVS = ("BENCH_DATABASE_URL", "TEST_DATABASE_URL")


@dataclass(frozen=True, slots=True)
class Run:
    label: str
    messages: int
    seconds: float
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_seconds / self.messages

    def line(self) -> str:
        return (
            f"{self.label:<28} {self.rate:8.1f} messages/s  {self.cpu_ms:6.2f} ms CPU/message "
            f"({self.messages} in {self.seconds:.1f} s)"
        )


async def _fake_cpu(fake: ThreadedTelegramServer) -> float:
    return await fake.run(lambda _: time.thread_time())


async def _sent_count(fake: ThreadedTelegramServer) -> int:
    return await fake.run(lambda server: len(server.sent))


async def _until_sent(fake: ThreadedTelegramServer, count: int) -> None:
    async with asyncio.timeout(WAIT_SECONDS):
        # Polling: the count lives on the fake's thread.
        while await _sent_count(fake) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def _measure(
    label: str, fake: ThreadedTelegramServer, chats: range, texts: int, answers: int
) -> Run:
    """Queue ``texts`` texts from each chat and wait for ``answers`` answers per text."""
    before = await _sent_count(fake)
    fake_cpu, cpu, started = await _fake_cpu(fake), time.process_time(), time.perf_counter()
    for number in range(texts):
        for chat in chats:
            fake.push_message(chat, f"Вопрос {number} о статьях по кардиологии")
    await _until_sent(fake, before + answers * texts * len(chats))
    seconds = time.perf_counter() - started
    fake_spent = await _fake_cpu(fake) - fake_cpu
    return Run(label, texts * len(chats), seconds, time.process_time() - cpu - fake_spent)


async def echo_bot(fake: ThreadedTelegramServer, chats: range, texts: int) -> Run:
    """The baseline: aiogram's own polling loop with one handler that echoes the text."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.fake.base_url))
    bot = Bot(fake.fake.token, session=session)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
    try:
        return await _measure("bare aiogram echo bot", fake, chats, texts, answers=1)
    finally:
        await dispatcher.stop_polling()
        await polling
        await session.close()


async def _consent(fake: ThreadedTelegramServer, chats: range) -> None:
    """Every reader's first contact and consent, before anything is measured."""
    start = await _sent_count(fake)
    for chat in chats:
        fake.push_message(chat, "/start")
    await _until_sent(fake, start + len(chats))

    def press_all(server: object) -> None:
        from bot.playground.platforms.telegram_server import FakeTelegramServer

        assert isinstance(server, FakeTelegramServer)
        for chat in chats:
            server.push_callback(chat, "consent:yes", server.sent_to(chat)[-1].message_id)

    pressed = await _sent_count(fake)
    await fake.run(press_all)
    await _until_sent(fake, pressed + len(chats))


async def _answers_per_text(fake: ThreadedTelegramServer, chat: int) -> int:
    """How many messages the app sends for one text of a consented reader (probed once)."""
    before = await _sent_count(fake)
    fake.push_message(chat, "Пробный вопрос")
    await _until_sent(fake, before + 1)
    await asyncio.sleep(0.5)
    return await _sent_count(fake) - before


async def real_app(
    fake: ThreadedTelegramServer, chats: range, texts: int, database_url: str, label: str
) -> Run:
    settings = make_settings(database_url, fake.fake, flood_burst=texts * 10)
    app = Application(settings, limiter_factory=NoLimits)
    await app.start()
    try:
        await _consent(fake, chats)
        answers = await _answers_per_text(fake, chats[0])
        return await _measure(label, fake, chats, texts, answers)
    finally:
        await app.stop()


class NoLimits:
    """The bot's own rate limiter switched off, like the fake's: only the work is measured."""

    @asynccontextmanager
    async def hold(self, limits: Sequence[Limit]) -> AsyncIterator[None]:
        yield


@asynccontextmanager
async def sqlite_url() -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory() as workdir:
        yield f"sqlite+aiosqlite:///{Path(workdir) / 'bot.sqlite3'}"


async def _admin(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@asynccontextmanager
async def postgres_url() -> AsyncIterator[str]:
    """A throwaway database next to the one the environment names, dropped at the end."""
    configured = next((os.environ[name] for name in POSTGRES_ENVS if os.environ.get(name)), None)
    if configured is None:
        raise SystemExit(f"--database postgres needs one of {', '.join(POSTGRES_ENVS)}")
    base = async_url(configured)
    admin = base.render_as_string(hide_password=False)
    name = f"bench_ingest_{uuid.uuid4().hex[:12]}"
    await _admin(admin, f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


DATABASES: dict[str, Callable[[], AsyncIterator[str]]] = {
    "sqlite": sqlite_url,  # type: ignore[dict-item]
    "postgres": postgres_url,  # type: ignore[dict-item]
}


async def bench(readers: int, texts: int, databases: list[str]) -> None:
    logging.basicConfig(level=logging.ERROR)
    async with ThreadedTelegramServer() as fake:
        chats = range(FIRST_CHAT, FIRST_CHAT + readers)
        baseline = await echo_bot(fake, chats, texts)
        runs = []
        for offset, database in enumerate(databases, start=1):
            # Fresh chats for each app run: every reader is new to its database.
            app_chats = range(chats.start + offset * readers, chats.stop + offset * readers)
            async with DATABASES[database]() as url:  # type: ignore[attr-defined]
                runs.append(await real_app(fake, app_chats, texts, url, f"the bot on {database}"))
    print(f"readers × texts:             {readers} × {texts}")
    print(baseline.line())
    for run in runs:
        print(run.line())
        print(
            f"  ratio to the echo bot:     {run.rate / baseline.rate:.2f}× the rate, "
            f"{run.cpu_ms / baseline.cpu_ms:.1f}× the CPU per message"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("readers", type=int, nargs="?", default=200)
    parser.add_argument("texts", type=int, nargs="?", default=10)
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres", "both"],
        default="sqlite",
        help="where the app stores its data (both: one run on each)",
    )
    arguments = parser.parse_args()
    databases = ["sqlite", "postgres"] if arguments.database == "both" else [arguments.database]
    asyncio.run(bench(arguments.readers, arguments.texts, databases))


if __name__ == "__main__":
    main()
