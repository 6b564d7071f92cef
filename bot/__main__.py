"""``python -m bot`` runs the bot; ``python -m bot migrate`` only applies the migrations;
``python -m bot import-arrivals FILE...`` imports new arrivals from files and prints what
each import did; ``python -m bot calendar FILE.csv`` loads a calendar of memorable dates
(header: date, text, image_url)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.settings import Settings, SettingsError, load_settings


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for chatty in ("alembic", "aiogram.event", "vkbottle"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


async def _run(settings: Settings) -> None:
    from bot.app import Application

    app = Application(settings)
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


async def _import_arrivals(settings: Settings, paths: list[str]) -> bool:
    """Import each file and print its summary; True when anything at all could be read."""
    from bot.arrivals.cli import import_files

    return await import_files(settings, paths, print)


async def _migrate(settings: Settings) -> None:
    from storage.migrate import upgrade

    await upgrade(settings.database_url.get_secret_value())
    print("database is up to date")


async def _calendar(settings: Settings, path: Path) -> None:
    from bot.publishing.cli import load_calendar, summary

    print(summary(await load_calendar(settings, path)))


FILES_TAKEN = {
    "run": (0, 0),
    "migrate": (0, 0),
    "import-arrivals": (1, sys.maxsize),
    "calendar": (1, 1),
}
"""How many files each command takes, at least and at most."""
FILES_HINT = {
    (0, 0): "takes no files",
    (1, sys.maxsize): "needs at least one file",
    (1, 1): "needs one file",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("command", nargs="?", choices=tuple(FILES_TAKEN), default="run")
    parser.add_argument(
        "files",
        nargs="*",
        help="import-arrivals: MARC, MARCXML, CSV or feed files; calendar: a CSV",
    )
    args = parser.parse_args(argv)
    least, most = FILES_TAKEN[args.command]
    if not least <= len(args.files) <= most:
        parser.error(f"{args.command} {FILES_HINT[(least, most)]}")
    try:
        settings = load_settings(require_platform=args.command == "run")
    except SettingsError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 2
    _configure_logging(settings.log_level)
    try:
        if args.command == "import-arrivals":
            return 0 if asyncio.run(_import_arrivals(settings, args.files)) else 1
        if args.command == "calendar":
            asyncio.run(_calendar(settings, Path(args.files[0])))
        elif args.command == "migrate":
            asyncio.run(_migrate(settings))
        else:
            asyncio.run(_run(settings))
    except KeyboardInterrupt:
        pass
    except SettingsError as error:
        # Settings found unusable only at start (an ILS backend this build lacks).
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
