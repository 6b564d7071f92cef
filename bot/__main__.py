"""``python -m bot`` runs the bot; ``python -m bot migrate`` only applies the migrations;
``python -m bot check`` checks the configuration against the platforms and the database;
``python -m bot backup PATH`` copies the SQLite database while the bot runs;
``python -m bot import-arrivals FILE...`` imports new arrivals from files and prints what
each import did; ``python -m bot calendar FILE.csv`` loads a calendar of memorable dates
(header: date, text, image_url); ``python -m bot playground`` runs the whole bot on this
machine with no tokens, against embedded Telegram and VK, driven from a web page."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.settings import Settings, SettingsError, load_settings


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for chatty in ("alembic", "aiogram.event", "vkbottle"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


async def _run(settings: Settings, _arguments: list[str]) -> int:
    from bot.app import Application

    # The migrations run in a child process: alembic, once imported, would keep about
    # 11 MiB of the bot's memory for nothing.
    migration = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "migrate")
    if await migration.wait() != 0:
        logging.getLogger("bot").error("the database migration failed; not starting")
        return 1
    app = Application(settings, migrate=False)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await app.start()
    try:
        await stop.wait()
    finally:
        logging.getLogger("bot").info("stopping")
        await app.stop()
    return 0


async def _migrate(settings: Settings, _arguments: list[str]) -> int:
    from storage.migrate import upgrade

    await upgrade(settings.database_url.get_secret_value())
    print("database is up to date")
    return 0


async def _check(settings: Settings, _arguments: list[str]) -> int:
    from bot.ops.check.command import run_check

    return await run_check(settings)


async def _backup(settings: Settings, arguments: list[str]) -> int:
    from pathlib import Path

    from bot.ops.backup import BackupError, backup

    if len(arguments) != 1:
        print("usage: python -m bot backup PATH (a new file)", file=sys.stderr)
        return 2
    try:
        size = await backup(settings.database_url.get_secret_value(), Path(arguments[0]))
    except BackupError as error:
        print(f"Cannot back up: {error}", file=sys.stderr)
        return 1
    print(f"backed up to {arguments[0]} ({size} bytes)")
    return 0


async def _import_arrivals(settings: Settings, paths: list[str]) -> int:
    """Import each file and print its summary; 1 when nothing at all could be read."""
    from bot.arrivals.cli import import_files

    return 0 if await import_files(settings, paths, print) else 1


async def _calendar(settings: Settings, arguments: list[str]) -> int:
    from pathlib import Path

    from bot.publishing.cli import load_calendar, summary

    print(summary(await load_calendar(settings, Path(arguments[0]))))
    return 0


async def _playground(settings: Settings, arguments: list[str]) -> int:
    from bot.playground.command import run_playground

    return await run_playground(settings, arguments)


Command = Callable[[Settings, list[str]], Coroutine[Any, Any, int]]
COMMANDS: dict[str, tuple[Command, bool]] = {
    "run": (_run, True),
    "migrate": (_migrate, False),
    "check": (_check, False),
    "backup": (_backup, False),
    "import-arrivals": (_import_arrivals, False),
    "calendar": (_calendar, False),
    "playground": (_playground, False),
}
"""Each subcommand, and whether it needs a platform configured to start."""
FILES_NEEDED = {"import-arrivals": "needs at least one file", "calendar": "needs one file"}
"""Commands that take files, and what the usage error says when they are missing."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("command", nargs="?", choices=tuple(COMMANDS), default="run")
    parser.add_argument(
        "arguments",
        nargs="*",
        help="backup: the file to write; import-arrivals: MARC, MARCXML, CSV or feed files; "
        "calendar: a CSV file",
    )
    argv = list(sys.argv[1:] if argv is None else argv)
    # The playground parses its own options (--port, --database).
    own_options = argv[1:] if argv[:1] == ["playground"] else None
    args = parser.parse_args(argv if own_options is None else argv[:1])
    arguments = args.arguments if own_options is None else own_options
    command, needs_platform = COMMANDS[args.command]
    if args.command in FILES_NEEDED and not arguments:
        parser.error(f"{args.command} {FILES_NEEDED[args.command]}")
    try:
        settings = load_settings(require_platform=needs_platform)
    except SettingsError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level)
    try:
        return asyncio.run(command(settings, arguments))
    except KeyboardInterrupt:
        pass
    except SettingsError as error:
        # Settings found unusable only at start (an ILS backend without its address).
        print(f"Cannot start: {error}", file=sys.stderr)
        return 2
    except (OSError, SQLAlchemyError) as error:
        # Start-up failures outside our control (database down, port taken) get one line;
        # the details go to the log for the administrator.
        logging.getLogger("bot").debug("start-up failed", exc_info=True)
        print(f"Cannot start: {type(error).__name__}: {error}".splitlines()[0], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
