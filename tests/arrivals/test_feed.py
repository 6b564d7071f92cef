"""RSS and Atom feeds of new acquisitions, fetched from a server on 127.0.0.1 with a
conditional GET."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.arrivals.formats import reader_for
from bot.arrivals.importer import ArrivalImporter
from bot.arrivals.poller import FeedPoller
from storage.database import Storage

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Новые поступления</title>
<link>http://opac.example/</link>
<description>Koha OPAC</description>
{items}
</channel>
</rss>"""

ITEM = """<item>
<title>{title}</title>
<dc:creator>Иванов, И. И.</dc:creator>
<dc:publisher>ГЭОТАР-Медиа</dc:publisher>
{identifier}<link>http://opac.example/cgi-bin/koha/opac-detail.pl?biblionumber={number}</link>
<guid>http://opac.example/cgi-bin/koha/opac-detail.pl?biblionumber={number}</guid>
<description>&lt;p&gt;{summary}&lt;/p&gt;</description>
<category>{category}</category>
</item>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>New acquisitions</title>
<id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
<updated>2026-11-20T18:30:02Z</updated>
<entry>
<title>Clinical neurology</title>
<id>urn:isbn:0-306-40615-2</id>
<updated>2026-11-20T18:30:02Z</updated>
<author><name>Smith, John</name></author>
<summary>A textbook of stroke care.</summary>
<category term="Neurology"/>
<link rel="enclosure" type="image/jpeg" href="http://opac.example/cover/1.jpg"/>
</entry>
</feed>"""


CARDIOLOGY_SUMMARY = "ISBN: 978-5-9704-0000-5&lt;br/&gt;Для врачей"


def rss(*items: tuple[str, int, str, str]) -> bytes:
    body = "\n".join(
        ITEM.format(
            title=t,
            number=n,
            summary=s,
            category=c,
            identifier="<dc:identifier>ISBN 0-306-40615-2</dc:identifier>\n" if n == 2 else "",
        )
        for t, n, s, c in items
    )
    return RSS.format(items=body).encode()


@dataclass
class Feed:
    """The catalogue's feed: its body and ETag, and the headers of every request."""

    body: bytes
    etag: str = '"v1"'
    status: int = 200
    requests: list[dict[str, str]] = field(default_factory=list)
    hang: asyncio.Event | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(dict(request.headers))
        if self.hang is not None:
            await self.hang.wait()
        if self.status != 200:
            return web.Response(status=self.status)
        if request.headers.get("If-None-Match") == self.etag:
            return web.Response(status=304)
        return web.Response(
            body=self.body,
            content_type="application/rss+xml",
            headers={"ETag": self.etag, "Last-Modified": "Mon, 23 Nov 2026 06:00:00 GMT"},
        )


@pytest.fixture
async def served() -> AsyncIterator[tuple[Feed, str]]:
    feed = Feed(
        rss(
            ("Кардиология: руководство", 1, CARDIOLOGY_SUMMARY, "Кардиология"),
            ("Детская неврология", 2, "Учебник", "Педиатрия"),
        )
    )
    app = web.Application()
    app.router.add_get("/feed", feed.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield feed, str(server.make_url("/feed"))
    if feed.hang is not None:
        feed.hang.set()
    await server.close()


def poller(url: str, storage: Storage, importer: ArrivalImporter, **kw: float) -> FeedPoller:
    return FeedPoller(url, states=storage.arrivals, importer=importer, **kw)


async def test_an_rss_feed_is_imported_and_an_unchanged_one_costs_nothing(
    served: tuple[Feed, str], storage: Storage, importer: ArrivalImporter
) -> None:
    feed, url = served
    poll = poller(url, storage, importer)

    first = await poll.poll()
    assert first is not None and (first.added, first.rejected) == (2, [])
    page = await storage.arrivals.latest(0, 10)
    cardiology = next(a for a in page.items if a.title.startswith("Кардиология"))
    assert cardiology.record.authors == ("Иванов, И. И.",)
    assert cardiology.record.isbns == ("9785970400005",)
    assert cardiology.record.subjects == ("cardiology",)
    assert cardiology.record.description == "ISBN: 978-5-9704-0000-5 Для врачей"
    assert cardiology.record.publisher == "ГЭОТАР-Медиа"
    neurology = next(a for a in page.items if a.title == "Детская неврология")
    assert neurology.record.isbns == ("9780306406157",)
    assert neurology.record.subjects == ("paediatrics",)

    assert await poll.poll() is None
    assert feed.requests[1]["If-None-Match"] == '"v1"'
    assert feed.requests[1]["If-Modified-Since"] == "Mon, 23 Nov 2026 06:00:00 GMT"
    assert (await storage.arrivals.latest(0, 10)).total == 2

    feed.body = rss(
        ("Кардиология: руководство", 1, CARDIOLOGY_SUMMARY, "Кардиология"),
        ("Онкология", 3, "Атлас", "Онкология"),
    )
    feed.etag = '"v2"'
    changed = await poll.poll()
    assert changed is not None
    assert (changed.added, changed.duplicates) == (1, 1)


async def test_an_atom_feed_is_imported(
    served: tuple[Feed, str], storage: Storage, importer: ArrivalImporter
) -> None:
    feed, url = served
    feed.body = ATOM.encode()
    assert reader_for(feed.body)[0] == "RSS/Atom"  # type: ignore[index]
    summary = await poller(url, storage, importer).poll()
    assert summary is not None and summary.added == 1
    (arrival,) = (await storage.arrivals.latest(0, 10)).items
    record = arrival.record
    assert (record.title, record.authors, record.isbns, record.subjects, record.cover) == (
        "Clinical neurology",
        ("Smith, John",),
        ("9780306406157",),
        ("neurology",),
        "http://opac.example/cover/1.jpg",
    )


async def test_a_failing_or_silent_feed_is_tried_again_next_time(
    served: tuple[Feed, str], storage: Storage, importer: ArrivalImporter
) -> None:
    feed, url = served
    feed.status = 503
    assert await poller(url, storage, importer).poll() is None
    feed.status = 200
    feed.hang = asyncio.Event()
    assert await poller(url, storage, importer, timeout_seconds=0.2).poll() is None
    assert (await storage.arrivals.feed_state(url)).etag is None
    feed.hang.set()
    feed.hang = None
    summary = await poller(url, storage, importer).poll()
    assert summary is not None and summary.added == 2
    assert "If-None-Match" not in feed.requests[-1]


async def test_a_feed_over_the_size_limit_is_skipped(
    served: tuple[Feed, str],
    storage: Storage,
    importer: ArrivalImporter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed, url = served
    monkeypatch.setattr("bot.arrivals.poller.MAX_FEED_BYTES", len(feed.body) - 1)
    assert await poller(url, storage, importer).poll() is None
    assert (await storage.arrivals.latest(0, 10)).total == 0
    monkeypatch.setattr("bot.arrivals.poller.MAX_FEED_BYTES", len(feed.body))
    summary = await poller(url, storage, importer).poll()
    assert summary is not None and summary.added == 2
