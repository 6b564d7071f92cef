"""The playground's page: static files, live state over server-sent events, and actions.

It listens on 127.0.0.1 only. Actions take JSON bodies only, so a page of another site cannot
post to them without a CORS preflight, which this server never grants.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from importlib.resources import files
from typing import Any

from aiohttp import web

from bot.playground.cast import READERS, STAFF, person
from bot.playground.session import ILS_CHOICES, Session
from bot.playground.snapshot import snapshot
from bot.playground.world import PressError, World

log = logging.getLogger(__name__)

STATIC = {
    "playground.css": "text/css",
    "playground.js": "text/javascript",
}
MAX_TEXT = 8192
"""The longest text the page may send: beyond any platform's limit, yet bounded."""
KEEPALIVE_SECONDS = 15.0
NOTICES_KEPT = 20


class Changes:
    """A version number that goes up whenever the platforms may have changed."""

    def __init__(self) -> None:
        self.version = 0
        self._event = asyncio.Event()

    def bump(self) -> None:
        self.version += 1
        self._event.set()
        self._event = asyncio.Event()

    async def after(self, seen: int, timeout: float) -> int:  # noqa: ASYNC109
        """Wait until the version passes ``seen`` or ``timeout`` seconds go by."""
        if self.version == seen:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout)
        return self.version


class Page:
    """The routes of the playground's web page."""

    def __init__(self, world: World, session: Session) -> None:
        self.world = world
        self.session = session
        self.changes = Changes()
        self.notices: list[str] = []
        self._busy = asyncio.Lock()
        world.telegram.observers.append(self.changes.bump)
        world.vk.observers.append(self.changes.bump)

    def application(self) -> web.Application:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/events", self._events)
        app.router.add_post("/api/reader/{key}/{action}", self._reader)
        app.router.add_post("/api/staff/{key}/{action}", self._staff)
        app.router.add_post("/api/control/{action}", self._control)
        return app

    def state(self) -> dict[str, Any]:
        state = snapshot(self.world.telegram, self.world.vk, self.world.pressed_by)
        state["people"] = {
            "readers": [_person_json(p) for p in READERS],
            "staff": [_person_json(p) for p in STAFF],
        }
        state["now"] = self.session.now_text()
        state["ils"] = {
            "current": self.session.ils.value,
            "choices": [c.value for c in ILS_CHOICES],
        }
        state["notices"] = self.notices[-NOTICES_KEPT:]
        return state

    # ---- pages ---------------------------------------------------------------------------

    async def _index(self, _request: web.Request) -> web.Response:
        html = files("bot.playground").joinpath("static", "index.html").read_text("utf-8")
        return web.Response(text=html, content_type="text/html", headers=_NO_STORE)

    async def _static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC:
            raise web.HTTPNotFound()
        text = files("bot.playground").joinpath("static", name).read_text("utf-8")
        return web.Response(text=text, content_type=STATIC[name], headers=_NO_STORE)

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        sent = ""
        with contextlib.suppress(ConnectionResetError):
            while True:
                seen = self.changes.version
                payload = json.dumps(self.state(), ensure_ascii=False)
                if payload != sent:
                    await response.write(f"data: {payload}\n\n".encode())
                    sent = payload
                else:
                    await response.write(b": keep-alive\n\n")
                await self.changes.after(seen, KEEPALIVE_SECONDS)
        return response

    # ---- actions -------------------------------------------------------------------------

    async def _reader(self, request: web.Request) -> web.Response:
        async def act(body: dict[str, Any]) -> None:
            reader = person(request.match_info["key"], READERS)
            action = request.match_info["action"]
            if action == "start":
                self.world.reader_starts(reader)
            elif action == "write":
                self.world.reader_writes(reader, _text(body), _attachment(body))
            elif action == "press":
                self.world.reader_presses(reader, *_position(body))
            else:
                raise KeyError(action)

        return await self._act(request, act)

    async def _staff(self, request: web.Request) -> web.Response:
        async def act(body: dict[str, Any]) -> None:
            member = person(request.match_info["key"], STAFF)
            action = request.match_info["action"]
            if action == "write":
                self.world.staff_writes(
                    member,
                    _text(body),
                    thread_id=_optional_int(body.get("thread")),
                    reply_to=_optional_int(body.get("reply_to")),
                    attachment=_attachment(body),
                )
            elif action == "press":
                self.world.staff_presses(member, *_position(body))
            else:
                raise KeyError(action)

        return await self._act(request, act)

    async def _control(self, request: web.Request) -> web.Response:
        controls: dict[str, Callable[[dict[str, Any]], Awaitable[str]]] = {
            "digest": lambda _body: self.session.run_digest(),
            "reminders": lambda _body: self.session.run_reminders(),
            "advance": lambda _body: self.session.advance_day(),
            "arrivals": lambda _body: self.session.load_arrivals(),
            "ils": lambda body: self.session.switch_ils(str(body.get("backend", ""))),
        }

        async def act(body: dict[str, Any]) -> None:
            control = controls[request.match_info["action"]]
            async with self._busy:
                self.notices.append(await control(body))
            self.changes.bump()

        return await self._act(request, act)

    async def _act(
        self, request: web.Request, act: Callable[[dict[str, Any]], Awaitable[None]]
    ) -> web.Response:
        if request.content_type != "application/json":
            return web.json_response({"error": "send JSON"}, status=415)
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("a JSON object is expected")
            await act(body)
        except (KeyError, ValueError, TypeError, PressError) as error:
            return web.json_response({"error": str(error)}, status=400)
        return web.json_response({"ok": True})


_NO_STORE = {"Cache-Control": "no-store"}


def _person_json(who: Any) -> dict[str, Any]:
    return {
        "key": who.key,
        "platform": who.platform.value,
        "name": who.name,
        "language": who.language,
    }


def _text(body: dict[str, Any]) -> str:
    text = body.get("text", "")
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise ValueError(f"text: a string of at most {MAX_TEXT} characters")
    return text


def _attachment(body: dict[str, Any]) -> str | None:
    value = body.get("attachment") or None
    if value not in (None, "photo", "document"):
        raise ValueError("attachment: photo, document or nothing")
    return value


def _optional_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("a number is expected")
    return int(value)


def _position(body: dict[str, Any]) -> tuple[int, int, int]:
    values = (body.get("message"), body.get("row"), body.get("column"))
    numbers = [_optional_int(v) for v in values]
    if any(n is None or n < 0 for n in numbers):
        raise ValueError("message, row and column are needed")
    return numbers[0] or 0, numbers[1] or 0, numbers[2] or 0
