"""How fast staff search (``/find``) answers at a million stored ticket messages.

Builds the corpus itself (:mod:`bench.search_corpus`: declined Russian words, realistic
message sizes, about five messages per ticket, each ticket with a form), in big
transactions, on a fresh SQLite file and, when a URL is given, on PostgreSQL. Then runs the
same staff-like queries through the real search (``TicketRepository.search``, snippets
included) and through the bare full-text match (the first 20 matching rows, unranked, in
the index's own order: the floor any search pays), and prints p50/p95/max of each and the
real search's ratio to the bare match. For reference it also times the previous strategy,
ranking every match, on the first queries.

    python -m bench.search                  # 1,000,000 messages on SQLite
    python -m bench.search 100000
    python -m bench.search 1000000 --postgres postgresql://postgres@127.0.0.1/bench_search
    python -m bench.search 1000000 --sqlite /tmp/corpus.sqlite3          # build and keep...
    python -m bench.search 1000000 --sqlite /tmp/corpus.sqlite3 --reuse  # ...time it again

The PostgreSQL database must be a scratch one: its tables are dropped and rebuilt.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.search_corpus import Vocabulary, queries
from bench.search_load import load
from storage.database import create_engine
from storage.migrate import downgrade, upgrade
from storage.search import match_expression
from storage.stems import query_stems, query_words
from storage.tickets import TicketRepository

SEED = 20261202
QUERIES = 240
OLD_STRATEGY_QUERIES = 48

_SQLITE_BARE = text(
    "SELECT ticket_id, message_id FROM ticket_search WHERE ticket_search MATCH :query LIMIT 20"
)
_POSTGRES_BARE = text(
    "SELECT ticket_id, id FROM ticket_messages "
    "WHERE search_vector @@ plainto_tsquery('russian', :query) LIMIT 20"
)
_SQLITE_RANK_ALL = text(
    "SELECT ticket_id, message_id FROM ticket_search WHERE ticket_search MATCH :query "
    "ORDER BY bm25(ticket_search) LIMIT 20"
)
_POSTGRES_RANK_ALL = text(
    "SELECT ticket_id, id FROM ticket_messages "
    "WHERE search_vector @@ plainto_tsquery('russian', :query) "
    "ORDER BY ts_rank(search_vector, plainto_tsquery('russian', :query)) DESC LIMIT 20"
)


def _bare_argument(engine: AsyncEngine, query: str) -> str:
    if engine.dialect.name == "sqlite":
        return match_expression(query_stems(query))
    return " ".join(query_words(query))


async def _timed(call: Callable[[str], Awaitable[object]], texts: list[str]) -> list[float]:
    times = []
    for query in texts:
        started = time.perf_counter()
        await call(query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _figures(times: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[94], max(times)


async def measure(engine: AsyncEngine, texts: list[str]) -> None:
    sqlite = engine.dialect.name == "sqlite"
    repository = TicketRepository(engine)

    async def real(query: str) -> object:
        return await repository.search(query, 20)

    async def bare(query: str) -> object:
        async with engine.connect() as conn:
            statement = _SQLITE_BARE if sqlite else _POSTGRES_BARE
            return (await conn.execute(statement, {"query": _bare_argument(engine, query)})).all()

    async def rank_all(query: str) -> object:
        async with engine.connect() as conn:
            statement = _SQLITE_RANK_ALL if sqlite else _POSTGRES_RANK_ALL
            return (await conn.execute(statement, {"query": _bare_argument(engine, query)})).all()

    await _timed(real, texts[:20])
    await _timed(bare, texts[:20])
    runs = {
        "bare match (baseline)": await _timed(bare, texts),
        "search (newest 500 ranked)": await _timed(real, texts),
        "rank every match (before)": await _timed(rank_all, texts[:OLD_STRATEGY_QUERIES]),
    }
    base_p50, base_p95, _ = _figures(runs["bare match (baseline)"])
    print(f"{'':30} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p50 ×':>7} {'p95 ×':>7}")
    for name, times in runs.items():
        p50, p95, worst = _figures(times)
        print(
            f"{name:30} {p50:8.2f} {p95:8.2f} {worst:8.2f} "
            f"{p50 / base_p50:7.1f} {p95 / base_p95:7.1f}"
        )
    found = await repository.search("книга", 20)
    print(f"«книга»: {len(found.hits)} shown, {found.ranked} ranked, older left out: {found.more}")


async def run(url: str, messages: int, *, reuse: bool, fresh: bool) -> None:
    rng = random.Random(SEED)
    vocabulary = Vocabulary(rng)
    texts = list(queries(vocabulary, rng, QUERIES))
    if fresh:
        await downgrade(url, "base")
    await upgrade(url)
    engine = create_engine(url)
    try:
        if not reuse:
            started = time.perf_counter()
            await load(engine, vocabulary, messages)
            print(f"corpus built: {messages:,} messages in {time.perf_counter() - started:.0f} s")
        async with engine.connect() as conn:
            stored = (await conn.execute(text("SELECT count(*) FROM ticket_messages"))).scalar()
        print(f"{engine.dialect.name}: {stored:,} ticket messages, {len(texts)} queries")
        await measure(engine, texts)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("messages", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="a scratch PostgreSQL database (dropped and rebuilt)")
    parser.add_argument("--sqlite", help="the SQLite file (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="time a corpus built before")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    arguments = parser.parse_args()
    if not arguments.no_sqlite:
        with tempfile.TemporaryDirectory() as workdir:
            path = Path(arguments.sqlite or Path(workdir) / "search.sqlite3")
            if not arguments.reuse:
                path.unlink(missing_ok=True)
            url = f"sqlite:///{path}"
            asyncio.run(run(url, arguments.messages, reuse=arguments.reuse, fresh=False))
    if arguments.postgres:
        fresh = not arguments.reuse
        asyncio.run(run(arguments.postgres, arguments.messages, reuse=arguments.reuse, fresh=fresh))


if __name__ == "__main__":
    main()
