"""``python -m bot playground``: the whole bot on this machine, no tokens, in a browser."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from pathlib import Path

from aiohttp import web

from bot.playground.cast import VK_GROUP_ID
from bot.playground.clock import PlaygroundClock
from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.playground.platforms.vk_server import FakeVkServer
from bot.playground.session import Session
from bot.playground.web import Page
from bot.playground.world import World
from bot.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_PORT = 8000
DATABASE = Path("data") / "playground.sqlite3"
"""The playground's own database, emptied at each start: the embedded platforms keep their
chats in memory, so readers, tickets and topics of an earlier run would point at nothing."""


def fresh_database(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return path


def parse(arguments: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot playground")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="the page's port on 127.0.0.1 (0: any)"
    )
    options = parser.parse_args(arguments)
    if not 0 <= options.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    return options


async def run_playground(base: Settings, arguments: list[str]) -> int:
    options = parse(arguments)
    database = fresh_database(DATABASE.resolve())
    url = f"sqlite+aiosqlite:///{database}"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with (
        FakeTelegramServer(enforce_limits=True) as telegram,
        FakeVkServer(group_id=VK_GROUP_ID, enforce_limits=True) as vk,
    ):
        world = World(telegram, vk)
        world.populate()
        session = Session(base, telegram, vk, url, PlaygroundClock())
        await session.start()
        runner = web.AppRunner(
            Page(world, session).application(), access_log=None, handler_cancellation=True
        )
        try:
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", options.port)
            await site.start()
            port = runner.addresses[0][1]
            print(f"Playground: http://127.0.0.1:{port}/ (database {database})", flush=True)
            await stop.wait()
        finally:
            log.info("stopping the playground")
            with contextlib.suppress(Exception):
                await runner.cleanup()
            await session.stop()
    return 0
