"""The scheduled poll of a catalogue's new-acquisitions feed, with a conditional GET: the
validators the feed sent last time (ETag, Last-Modified) go back with the request, so an
unchanged feed answers 304 and costs no parsing and no writes."""

from __future__ import annotations

import logging
from typing import Protocol

import aiohttp

from bot.arrivals.importer import ArrivalImporter
from storage.arrival_models import FeedState, ImportSummary

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 20 * 1024 * 1024
CHUNK_BYTES = 64 * 1024


class FeedStates(Protocol):
    async def feed_state(self, url: str) -> FeedState: ...

    async def save_feed_state(self, url: str, state: FeedState) -> None: ...


class FeedPoller:
    """Fetches ``url`` and imports what changed."""

    def __init__(
        self,
        url: str,
        *,
        states: FeedStates,
        importer: ArrivalImporter,
        timeout_seconds: float = 30.0,
    ) -> None:
        self._url = url
        self._states = states
        self._importer = importer
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def poll(self) -> ImportSummary | None:
        """Import the feed if it changed; None when it did not or could not be fetched (the
        reason is logged; the next run tries again)."""
        state = await self._states.feed_state(self._url)
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        try:
            async with (
                aiohttp.ClientSession(timeout=self._timeout) as session,
                session.get(self._url, headers=headers) as response,
            ):
                if response.status == 304:
                    log.info("arrivals feed unchanged")
                    return None
                if response.status != 200:
                    log.warning("arrivals feed answered HTTP %d", response.status)
                    return None
                body = bytearray()
                async for chunk in response.content.iter_chunked(CHUNK_BYTES):
                    body += chunk
                    if len(body) > MAX_FEED_BYTES:
                        log.warning("arrivals feed is over %d bytes: skipped", MAX_FEED_BYTES)
                        return None
                fresh = FeedState(
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                )
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("arrivals feed not fetched: %s", type(error).__name__)
            return None
        summary = await self._importer.import_bytes(bytes(body), self._url)
        await self._states.save_feed_state(self._url, fresh)
        log.info(
            "arrivals feed: %d added, %d updated, %d duplicates, %d rejected",
            summary.added,
            summary.updated,
            summary.duplicates,
            len(summary.rejected),
        )
        return summary
