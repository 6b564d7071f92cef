"""The bot's memory: idle, and as distinct readers accumulate, against a bare import baseline.

Starts ``python -m bot`` with both platforms and the scheduler, against the fake Telegram
and VK servers (run by this script), and a process that only imports aiogram and vkbottle.
Prints their resident set sizes (VmRSS) and the ratio; then lets new readers send ``/start``
on both platforms, each at a pace under that platform's limit, and prints the bot's RSS after
the first ``FEW`` and after ``MANY`` distinct readers, and that ratio.

    python -m bench.memory               # 500 and 5,000 readers (about four minutes)
    python -m bench.memory 200 1000      # a quicker look
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from tests.e2e.conftest import STAFF_CHAT_ID, VK_GROUP_ID

ROOT = Path(__file__).resolve().parents[1]
FIRST_CHAT = 1_000_000
TELEGRAM_READERS_PER_SECOND = 20.0
"""New Telegram readers a second: each costs one message (the answer) of Telegram's 30/s."""
VK_READERS_PER_SECOND = 8.0
"""New VK readers a second: each costs two calls of VK's 20/s, ``users.get`` (the reader's
name) and ``messages.send``. (Sending VK readers at 20/s made the answers queue behind the
limit, by more than the two minutes the script waits at 5,000 readers.)"""
SETTLE_SECONDS = 3.0
WAIT_SECONDS = 120.0
"""How long after the last reader wrote every answer must be in."""
BASELINE = "import aiogram, vkbottle, sys; print('ready', flush=True); sys.stdin.read()"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(
    workdir: Path, telegram: FakeTelegramServer, vk: FakeVkServer, port: int
) -> dict[str, str]:
    return os.environ | {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bot.sqlite3'}",
        "LIBRARY_NAME": "Кузбасская научная медицинская библиотека",
        "STAFF_CHAT": f"telegram:{STAFF_CHAT_ID}",
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_BASE": telegram.base_url,
        "VK_GROUP_TOKEN": vk.token,
        "VK_GROUP_ID": str(VK_GROUP_ID),
        "VK_API_BASE": vk.api_base,
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }


async def _until(condition: Callable[[], bool], what: Callable[[], str]) -> None:
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            # Polling: the fakes count what they were sent; nothing to wait on.
            while not condition():  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise SystemExit(f"gave up waiting after {WAIT_SECONDS:.0f} s: {what()}") from None


async def _ready(port: int) -> None:
    async with aiohttp.ClientSession() as session, asyncio.timeout(120):
        while True:
            try:
                async with session.get(f"http://127.0.0.1:{port}/readyz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)


def _answered(telegram: FakeTelegramServer, vk: FakeVkServer) -> int:
    readers = {m.chat_id for m in telegram.sent if m.chat_id >= FIRST_CHAT}
    readers |= {d.peer_id for d in vk.deliveries if d.peer_id >= FIRST_CHAT}
    return len(readers)


async def _paced(push: Callable[[int], object], chats: range, per_second: float) -> None:
    started = time.monotonic()
    for number, chat in enumerate(chats):
        push(chat)
        ahead = started + (number + 1) / per_second - time.monotonic()
        if ahead > 0:
            await asyncio.sleep(ahead)


async def _new_readers(
    telegram: FakeTelegramServer, vk: FakeVkServer, first: int, count: int
) -> None:
    """``count`` new readers write ``/start``, on both platforms at once, each platform's
    share in proportion to its pace; waits until every reader so far has been answered."""
    total_rate = TELEGRAM_READERS_PER_SECOND + VK_READERS_PER_SECOND
    on_telegram = round(count * TELEGRAM_READERS_PER_SECOND / total_rate)
    await asyncio.gather(
        _paced(
            lambda chat: telegram.push_message(chat, "/start"),
            range(first, first + on_telegram),
            TELEGRAM_READERS_PER_SECOND,
        ),
        _paced(
            lambda chat: vk.push_message(chat, "/start"),
            range(first + on_telegram, first + count),
            VK_READERS_PER_SECOND,
        ),
    )
    expected = first - FIRST_CHAT + count
    await _until(
        lambda: _answered(telegram, vk) >= expected,
        lambda: f"{_answered(telegram, vk)} of {expected} readers answered",
    )
    await asyncio.sleep(SETTLE_SECONDS)


async def bench(few: int, many: int) -> None:
    baseline = await asyncio.create_subprocess_exec(
        sys.executable, "-c", BASELINE, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert baseline.stdout is not None
    await baseline.stdout.readline()
    imports_only = rss_mib(baseline.pid)
    await baseline.communicate(b"")
    async with FakeTelegramServer() as telegram, FakeVkServer(group_id=VK_GROUP_ID) as vk:
        with tempfile.TemporaryDirectory() as workdir:
            port = _free_port()
            bot = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=workdir,
                env=_environment(Path(workdir), telegram, vk, port),
            )
            try:
                await _ready(port)
                await asyncio.sleep(SETTLE_SECONDS)
                idle = rss_mib(bot.pid)
                await _new_readers(telegram, vk, FIRST_CHAT, few)
                after_few = rss_mib(bot.pid)
                await _new_readers(telegram, vk, FIRST_CHAT + few, many - few)
                after_many = rss_mib(bot.pid)
            finally:
                bot.terminate()
                await asyncio.wait_for(bot.wait(), timeout=60)
    print(f"imports aiogram + vkbottle only: {imports_only:7.1f} MiB")
    print(f"python -m bot, idle:             {idle:7.1f} MiB = {idle / imports_only:.3f}×")
    print(f"after {few:>5} distinct readers:    {after_few:7.1f} MiB")
    print(
        f"after {many:>5} distinct readers:    {after_many:7.1f} MiB = "
        f"{after_many / after_few:.3f}× the RSS after {few}"
    )


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    few, many = (arguments + [500, 5000][len(arguments) :])[:2]
    asyncio.run(bench(few, many))
