"""How fast staff answers reach readers while the staff chat is at its 20 messages a minute.

Runs the outbox sender with the real Telegram messenger against the fake Bot API (which
enforces Telegram's limits and answers 429 past them), on a SQLite outbox. Each staff answer
queues what the staff desk queues: the answer to the reader, a confirmation in the staff chat
and an edit of the ticket's card. Answers come one every ``--every`` seconds, to readers of
25 tickets. Three runs, each on a fresh server and database:

* ``idle``: answers only, no staff-chat traffic: the baseline;
* ``loaded``: answers with their staff-chat traffic, after a backlog of confirmations that
  keeps the staff chat at its budget for the whole run;
* ``batch``: the loaded case drained one batch at a time with no per-address cap, as the
  sender did before (claim a batch, wait for all of it): for comparison.

Prints, per run, the latency from enqueue to the reader's message reaching the server (p50,
p99, max) and p99 as a ratio of the baseline's, plus the staff-chat messages delivered.

    python -m bench.staff_answers               # 60 answers, one every 0.5 s
    python -m bench.staff_answers 100 0.25
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.outbox import OutboxSender, SenderTuning
from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.ratelimit import RateLimiter
from bot.telegram.factory import create_bot
from bot.telegram.messenger import TelegramMessenger
from handlers.core.ports import EDIT_KEY
from handlers.core.replies import Reply
from storage.database import Storage
from storage.migrate import upgrade
from storage.models import Address, Platform

STAFF_CHAT = Address(Platform.TELEGRAM, -100_777)
TICKETS = 25
BACKLOG = 30
"""Confirmations already waiting for the staff chat: 90 s of its budget."""
GIVE_UP_AFTER = 240.0
ANSWER = "reader answer "


@dataclass(frozen=True, slots=True)
class Figures:
    latencies: list[float]
    undelivered: int
    staff_delivered: int

    @property
    def p99(self) -> float:
        return _percentile(self.latencies, 0.99)


async def run_case(answers: int, every: float, *, staff_traffic: bool, batch: bool) -> Figures:
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite+aiosqlite:///{Path(workdir) / 'bench.sqlite3'}"
        await upgrade(url)
        async with FakeTelegramServer() as telegram, Storage.open(url) as storage:
            cards = await _post_cards(telegram) if staff_traffic else []
            telegram.enforce_limits = True
            bot = create_bot(telegram.token, RateLimiter(), api_base=telegram.base_url)
            try:
                tuning = SenderTuning(per_address=50) if batch else SenderTuning()
                sender = OutboxSender(
                    storage.outbox,
                    storage.readers,
                    {Platform.TELEGRAM: TelegramMessenger(bot)},
                    tuning=tuning,
                )
                if staff_traffic:
                    for n in range(BACKLOG):
                        await storage.outbox.enqueue(
                            f"backlog:{n}", STAFF_CHAT, Reply(f"confirmation {n}").to_dict()
                        )
                stop = asyncio.Event()
                loop = _batch_loop(sender, stop) if batch else sender.run(stop)
                sending = asyncio.create_task(loop)
                queued_at: dict[int, float] = {}
                for n in range(answers):
                    reader = Address(Platform.TELEGRAM, 50_000 + n % TICKETS)
                    await storage.outbox.enqueue(
                        f"answer:{n}", reader, Reply(f"{ANSWER}{n}").to_dict()
                    )
                    queued_at[n] = time.monotonic()
                    if staff_traffic:
                        await _staff_traffic(storage, cards, n)
                    sender.notify()
                    await asyncio.sleep(every)
                arrived = await _arrivals(telegram, answers)
                stop.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(sending, 10)
            finally:
                await bot.session.close()
        latencies = [arrived[n] - queued_at[n] for n in arrived]
        in_staff_chat = telegram.sent_to(STAFF_CHAT.peer_id)
        staff = len(in_staff_chat) - len(cards) + sum(m.edits for m in in_staff_chat)
        return Figures(latencies, answers - len(arrived), staff)


async def _post_cards(telegram: FakeTelegramServer) -> list[int]:
    """The tickets' cards, posted before the limits are enforced: the messages to edit."""
    ids = []
    async with aiohttp.ClientSession() as session:
        for n in range(TICKETS):
            url = f"{telegram.base_url}/bot{telegram.token}/sendMessage"
            body = {"chat_id": STAFF_CHAT.peer_id, "text": f"card {n}: new"}
            async with session.post(url, json=body) as response:
                ids.append((await response.json())["result"]["message_id"])
    return ids


async def _staff_traffic(storage: Storage, cards: list[int], n: int) -> None:
    ticket = n % TICKETS
    card = Reply(f"card {ticket}: answered {n // TICKETS + 1} times").to_dict()
    group = f"card:{ticket}:{cards[ticket]}"
    await storage.outbox.enqueue_latest(
        f"{group}:{n}", STAFF_CHAT, card | {EDIT_KEY: cards[ticket]}, group
    )
    confirmation = Reply(f"answer to ticket {ticket} queued").to_dict()
    await storage.outbox.enqueue(f"ack:{n}", STAFF_CHAT, confirmation)


async def _batch_loop(sender: OutboxSender, stop: asyncio.Event) -> None:
    """The sender's loop as it was: claim a batch, wait for all of it, claim the next."""
    while not stop.is_set():
        if await sender.drain_once() == 0:
            await asyncio.sleep(0.05)


async def _arrivals(telegram: FakeTelegramServer, answers: int) -> dict[int, float]:
    """When each answer reached the server, waiting for the stragglers up to a limit."""

    def delivered() -> dict[int, float]:
        sent = {m.text for m in telegram.sent if m.text and m.text.startswith(ANSWER)}
        found: dict[int, float] = {}
        for call in telegram.calls:
            text = call.params.get("text")
            if call.method.lower() == "sendmessage" and text in sent:
                found[int(str(text).removeprefix(ANSWER))] = call.at
        return found

    with contextlib.suppress(AssertionError):
        await telegram.wait_for(lambda: len(delivered()) >= answers, timeout=GIVE_UP_AFTER)
    return delivered()


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def _report(name: str, figures: Figures, baseline: Figures | None) -> None:
    lat = figures.latencies
    ratio = f"{figures.p99 / baseline.p99:6.1f}x" if baseline and baseline.p99 > 0 else "  base"
    print(
        f"{name:<8} p50 {_percentile(lat, 0.5):6.2f} s   p99 {figures.p99:6.2f} s   "
        f"max {max(lat, default=float('nan')):6.2f} s   p99/baseline {ratio}   "
        f"undelivered {figures.undelivered:3d}   staff-chat messages {figures.staff_delivered}"
    )


async def main(answers: int, every: float) -> None:
    cases: list[tuple[str, Callable[[], Awaitable[Figures]]]] = [
        ("idle", lambda: run_case(answers, every, staff_traffic=False, batch=False)),
        ("loaded", lambda: run_case(answers, every, staff_traffic=True, batch=False)),
        ("batch", lambda: run_case(answers, every, staff_traffic=True, batch=True)),
    ]
    print(f"{answers} staff answers, one every {every} s, to {TICKETS} readers; target p99 < 2 s")
    baseline: Figures | None = None
    for name, case in cases:
        figures = await case()
        _report(name, figures, baseline)
        baseline = baseline or figures


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    interval = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    asyncio.run(main(count, interval))
