"""A fake Telegram Bot API server on 127.0.0.1: the tests' fake and the playground's platform.

It speaks the real URL layout (``/bot<token>/<method>``, ``/file/bot<token>/<path>``),
accepts JSON, urlencoded and multipart bodies, keeps Telegram's per-chat message ids,
validates what Telegram validates (text and caption length, inline keyboards, callback data)
and records everything the bot sends. A parameter the current Bot API does not define for the
method (``telegram_methods.json``, from the published spec) is refused with 400. Tests push
updates for long polling, script failures for particular chats, hold responses, and may ask
it to enforce Telegram's flood limits.

Usage::

    async with FakeTelegramServer() as server:
        bot = create_bot(server.token, server.base_url, RateLimiter())
        server.push_message(42, "/start")
        await server.wait_for(count=1)
        assert server.sent_to(42)[0].text == "..."

Staff chats: ``forum_chat(chat_id)`` makes a supergroup a forum (createForumTopic works there
and answers "the chat is not a forum" elsewhere); ``push_message(chat, text, user=...,
thread_id=..., reply_to=...)`` writes into a topic and/or as a reply, with the fields Telegram
sets; ``set_member_status(chat, user, "administrator")`` configures getChatMember.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiohttp import web
from multidict import MultiDictProxy

from bot.playground.platforms.observed import observed
from bot.playground.platforms.telegram_forums import FakeTopic, Forums
from bot.playground.platforms.telegram_members import STATUSES, member_json

DEFAULT_TOKEN = "123456789:TEST-fake-token_for_tests_only-000000"
BOT_ID = 123456789
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
DELETE_WINDOW_SECONDS = 48 * 3600
"""How long after sending a bot may delete its own message."""

_FLOOD_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendmediagroup",
        "sendpoll",
        "sendaudio",
        "sendvideo",
        "sendvoice",
        "sendanimation",
        "sendsticker",
        "sendlocation",
        "sendcontact",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
        "editmessagemedia",
    }
)

Json = dict[str, Any]


class ApiError(Exception):
    """An error answer of the fake API, rendered the way Telegram renders it."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def response(self) -> web.Response:
        body: Json = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=self.status)


def _bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True, slots=True)
class FakeUser:
    """A Telegram user who writes to the bot."""

    id: int
    first_name: str = "Reader"
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "ru"
    is_bot: bool = False

    def to_json(self) -> Json:
        data: Json = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file the server knows: one a user sent or one the bot uploaded."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None


@dataclass(slots=True)
class SentFile:
    """A file attached to a sent message: uploaded bytes, or an existing ``file_id``."""

    kind: str
    file_id: str
    data: bytes
    file_name: str | None
    uploaded: bool


@dataclass(slots=True)
class SentMessage:
    """A message the bot sent, kept up to date by later edits."""

    method: str
    chat_id: int
    message_id: int
    text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    reply_markup: Json | None = None
    files: list[SentFile] = field(default_factory=list)
    edits: int = 0
    message_thread_id: int | None = None
    """The forum topic the message went into."""
    reply_parameters: Json | None = None
    """What the bot sent as ``reply_parameters``, as it arrived."""
    sent_at: float = field(default_factory=time.time)
    deleted: bool = False
    """Deleted with deleteMessage: gone from the chat, kept here for tests to see."""
    poll_options: list[str] = field(default_factory=list)
    """A poll's answers (sendPoll); its question is ``text``."""

    @property
    def reply_to(self) -> int | None:
        """The id of the message this one was sent in reply to."""
        if self.reply_parameters is None:
            return None
        return _optional_int(self.reply_parameters.get("message_id"))

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """The inline keyboard as rows of ``(text, callback_data)``."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[(b["text"], b.get("callback_data")) for b in row] for row in rows]


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request the server received, with its parameters as strings or parsed JSON."""

    method: str
    params: Mapping[str, Any]
    at: float


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool


@dataclass(slots=True)
class _Fault:
    chat_id: str | None
    method: str | None
    remaining: int
    status: int
    description: str
    retry_after: int | None

    def matches(self, method: str, chat_id: str | None) -> bool:
        if self.remaining <= 0:
            return False
        if self.method is not None and self.method.lower() != method:
            return False
        return self.chat_id is None or self.chat_id == chat_id


class Hold:
    """Requests matching this hold wait for ``release``.

    By default they are carried out first and only the response waits: a send that reached
    Telegram while the bot never learned of it. With ``before=True`` the request waits before
    it is carried out, so a client that dies meanwhile never delivered it (the server drops a
    request whose client has gone).
    """

    def __init__(self, chat_id: str | None, method: str | None, before: bool = False) -> None:
        self.chat_id = chat_id
        self.method = method.lower() if method else None
        self.before = before
        self.held = 0
        self._released = asyncio.Event()

    def matches(self, method: str, chat_id: str | None) -> bool:
        if self._released.is_set():
            return False
        if self.method is not None and self.method != method:
            return False
        return self.chat_id is None or self.chat_id == chat_id

    async def wait(self) -> None:
        self.held += 1
        await self._released.wait()

    async def wait_held(self, count: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``count`` responses are being held."""
        async with asyncio.timeout(timeout):
            while self.held < count:  # noqa: ASYNC110 - a test helper, polling is simplest
                await asyncio.sleep(0.005)

    def release(self) -> None:
        self._released.set()


class _FloodControl:
    """Telegram's limits as the server sees them: 30/s in all, 1/s per chat, 20/min a group.

    ``slack`` shortens every window a little, because requests reach the server with jitter
    that a client-side limiter cannot see; Telegram itself is not stricter than that.
    """

    def __init__(self, slack: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._slack = slack
        self._clock = clock
        self._windows: dict[str, deque[float]] = defaultdict(deque)

    def check(self, chat_id: int | None, cost: int) -> int | None:
        now = self._clock()
        limits = [("global", 30, 1.0)]
        if chat_id is not None:
            limits.append((f"chat:{chat_id}", 1, 1.0))
            if chat_id < 0:
                limits.append((f"group:{chat_id}", 20, 60.0))
        wait = 0.0
        for key, calls, period in limits:
            window = self._windows[key]
            span = period - self._slack
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) + cost > calls:
                wait = max(wait, window[0] + span - now)
        if wait > 0:
            return max(1, math.ceil(wait))
        for key, _, _ in limits:
            self._windows[key].extend([now] * cost)
        return None


class FakeTelegramServer:
    """The fake Bot API. Use it as an async context manager; it listens on 127.0.0.1."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        enforce_limits: bool = False,
        limit_slack: float = 0.25,
        bot_username: str = "library_test_bot",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``clock`` (seconds) is what the flood limits are counted on: a test whose own
        limiter runs on virtual time passes the same virtual clock."""
        self.token = token
        self.enforce_limits = enforce_limits
        self.bot_username = bot_username
        self.calls: list[ApiCall] = []
        self.sent: list[SentMessage] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.commands: list[Json] = []
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.too_many_requests = 0
        self.refused: list[ApiCall] = []
        """The calls answered with a 429, as they arrived."""
        self.download_status: int | None = None
        """When set, every file download is answered with this HTTP status."""
        self._flood = _FloodControl(limit_slack, clock)
        self._messages: dict[tuple[int, int], SentMessage] = {}
        self._next_message_id: dict[int, int] = defaultdict(lambda: 1)
        self._files: dict[str, StoredFile] = {}
        self._file_seq = itertools.count(1)
        self._callback_seq = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._update_seq = itertools.count(1)
        self._updates: list[Json] = []
        self._updates_arrived = asyncio.Event()
        self._faults: list[_Fault] = []
        self._holds: list[Hold] = []
        self._forums = Forums()
        self._member_status: dict[tuple[int, int], str] = {}
        self._chat_users: dict[int, FakeUser] = {}
        self._user_messages: dict[tuple[int, int], Json] = {}
        self.deleted_user_messages: list[tuple[int, int]] = []
        """``(chat_id, message_id)`` of users' messages the bot deleted in private chats."""
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self.observers: list[Callable[[], None]] = []
        """Called after every request the server answered (the playground redraws its page)."""

    async def __aenter__(self) -> Self:
        app = web.Application(
            client_max_size=64 * 1024 * 1024, middlewares=[observed(self.observers)]
        )
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for hold in self._holds:
            hold.release()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """What goes into ``TELEGRAM_API_BASE``."""
        if self._port is None:
            raise RuntimeError("the fake server is not running")
        return f"http://127.0.0.1:{self._port}"

    # ---- what tests push in -------------------------------------------------------------

    def message_update(
        self,
        chat_id: int,
        text: str | None = None,
        *,
        user: FakeUser | None = None,
        language_code: str | None = None,
        extra: Mapping[str, Any] | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> Json:
        """Build (without queueing) an update carrying a user's message to the bot.

        ``thread_id`` writes into that topic of a forum; ``reply_to`` replies to that message
        of the chat (a reply to a message in a topic lands in the topic). The message carries
        what Telegram would: ``is_topic_message``, ``message_thread_id`` and
        ``reply_to_message``, which in a topic is the topic's creation message when the user
        replied to nothing. In a supergroup that is not a forum, a reply's
        ``message_thread_id`` is the id of the message its reply chain starts at.
        """
        sender = self._user(chat_id, user, language_code)
        placement = self._placement_of_user_message(chat_id, thread_id, reply_to)
        message_id = self._take_message_id(chat_id)
        message: Json = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id, sender),
            "from": sender.to_json(),
        }
        message.update(placement)
        if text is not None:
            message["text"] = text
        message.update(extra or {})
        self._user_messages[(chat_id, message_id)] = message
        return {"update_id": next(self._update_seq), "message": message}

    def push_update(self, update: Json) -> Json:
        """Queue a ready-made update for ``getUpdates``."""
        self._updates.append(update)
        self._updates_arrived.set()
        return update

    def take_updates(self) -> list[Json]:
        """Remove and return the queued updates: a test playing Telegram's webhook delivery
        posts them to the bot itself."""
        updates, self._updates = self._updates, []
        return updates

    def push_message(
        self,
        chat_id: int,
        text: str,
        *,
        user: FakeUser | None = None,
        language_code: str | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> Json:
        """Queue a text message; see ``message_update`` for ``thread_id`` and ``reply_to``."""
        return self.push_update(
            self.message_update(
                chat_id,
                text,
                user=user,
                language_code=language_code,
                thread_id=thread_id,
                reply_to=reply_to,
            )
        )

    def push_photo(
        self,
        chat_id: int,
        data: bytes,
        *,
        caption: str | None = None,
        user: FakeUser | None = None,
        media_group_id: str | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> Json:
        """Queue a photo; its largest size is ``data``, a smaller thumbnail comes first."""
        thumb = self.add_file(data[:16], mime_type="image/jpeg")
        full = self.add_file(data, mime_type="image/jpeg")
        extra: Json = {
            "photo": [
                _photo_size(thumb, 90, 60),
                _photo_size(full, 1280, 853),
            ]
        }
        if caption is not None:
            extra["caption"] = caption
        if media_group_id is not None:
            extra["media_group_id"] = media_group_id
        return self.push_update(
            self.message_update(
                chat_id, user=user, extra=extra, thread_id=thread_id, reply_to=reply_to
            )
        )

    def push_document(
        self,
        chat_id: int,
        data: bytes,
        *,
        file_name: str = "file.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        user: FakeUser | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> Json:
        stored = self.add_file(data, file_name=file_name, mime_type=mime_type)
        extra: Json = {"document": _document(stored)}
        if caption is not None:
            extra["caption"] = caption
        return self.push_update(
            self.message_update(
                chat_id, user=user, extra=extra, thread_id=thread_id, reply_to=reply_to
            )
        )

    def push_callback(
        self,
        chat_id: int,
        data: str,
        message_id: int,
        *,
        user: FakeUser | None = None,
    ) -> str:
        """Queue a press of an inline button under the bot's message; returns the query id."""
        sender = self._user(chat_id, user, None)
        query_id = f"cbq-{next(self._callback_seq)}"
        self._open_callbacks.add(query_id)
        sent = self._messages.get((chat_id, message_id))
        message: Json = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id, sender),
            "from": self._bot_user(),
            "text": sent.text if sent and sent.text else "…",
        }
        if sent and sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        if sent and sent.message_thread_id is not None:
            message["message_thread_id"] = sent.message_thread_id
            message["is_topic_message"] = True
        self.push_update(
            {
                "update_id": next(self._update_seq),
                "callback_query": {
                    "id": query_id,
                    "from": sender.to_json(),
                    "chat_instance": f"ci-{chat_id}",
                    "data": data,
                    "message": message,
                },
            }
        )
        return query_id

    def add_file(
        self, data: bytes, *, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        """Store a file so that ``getFile`` and the download URL serve it."""
        number = next(self._file_seq)
        stored = StoredFile(
            file_id=f"FILE{number:06d}-{len(data)}",
            file_unique_id=f"U{number:06d}",
            file_path=f"documents/file_{number}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        return stored

    def forum_chat(self, chat_id: int) -> None:
        """Make the supergroup ``chat_id`` (an id starting with -100) a forum."""
        self._forums.declare(chat_id)

    def close_topic(self, chat_id: int, thread_id: int) -> None:
        """Close a topic as a human admin would in their client."""
        self._topic(chat_id, thread_id).closed = True

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember answers for the user in the chat: ``creator``,
        ``administrator``, ``member`` (the default), ``restricted``, ``left`` or ``kicked``."""
        if status not in STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        self._member_status[(chat_id, user_id)] = status

    def name_user(self, user: FakeUser) -> None:
        """Give ``user``'s names (and bot flag) to getChatMember and getChatAdministrators."""
        self._chat_users[user.id] = user

    # ---- scripted behaviour ---------------------------------------------------------------

    def fail_next(
        self,
        chat_id: int | str | None = None,
        *,
        count: int = 1,
        status: int = 500,
        description: str | None = None,
        retry_after: int | None = None,
        method: str | None = None,
    ) -> None:
        """Answer the next ``count`` calls (to ``chat_id``, of ``method``) with an error."""
        text = description or {
            400: "Bad Request: chat not found",
            403: "Forbidden: bot was blocked by the user",
            429: f"Too Many Requests: retry after {retry_after}",
            500: "Internal Server Error",
        }.get(status, "Error")
        self._faults.append(
            _Fault(
                chat_id=None if chat_id is None else str(chat_id),
                method=method,
                remaining=count,
                status=status,
                description=text,
                retry_after=retry_after,
            )
        )

    def flood_next(
        self, chat_id: int | str | None = None, *, count: int = 1, retry_after: int = 1
    ) -> None:
        self.fail_next(chat_id, count=count, status=429, retry_after=retry_after)

    def block_next(self, chat_id: int | str, *, count: int = 1) -> None:
        self.fail_next(chat_id, count=count, status=403)

    def break_next(self, chat_id: int | str | None = None, *, count: int = 1) -> None:
        self.fail_next(chat_id, count=count, status=500)

    def hold(
        self, chat_id: int | str | None = None, *, method: str | None = None, before: bool = False
    ) -> Hold:
        """Delay matching requests until ``Hold.release``: their responses, or with
        ``before=True`` the requests themselves (see :class:`Hold`)."""
        hold = Hold(None if chat_id is None else str(chat_id), method, before)
        self._holds.append(hold)
        return hold

    # ---- what tests read back -------------------------------------------------------------

    def sent_to(self, chat_id: int, thread_id: int | None = None) -> list[SentMessage]:
        """What the bot sent to the chat; with ``thread_id``, only into that topic."""
        return [
            m
            for m in self.sent
            if m.chat_id == chat_id and (thread_id is None or m.message_thread_id == thread_id)
        ]

    def user_messages(self, chat_id: int) -> list[Json]:
        """The users' messages in the chat, as the bot received them, oldest first."""
        return [m for (chat, _), m in self._user_messages.items() if chat == chat_id]

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        """A message the bot sent, in its current state."""
        return self._messages.get((chat_id, message_id))

    def topics(self, chat_id: int) -> list[FakeTopic]:
        """The topics of a forum chat, oldest first."""
        return self._forums.in_chat(chat_id)

    def calls_of(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method.lower()]

    async def wait_for(
        self,
        predicate: Callable[[], bool] | None = None,
        *,
        count: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until ``predicate()`` holds or at least ``count`` messages were sent."""

        def done() -> bool:
            if count is not None and len(self.sent) < count:
                return False
            return predicate is None or predicate()

        try:
            async with asyncio.timeout(timeout):
                # Polling, because the predicate may look at state outside the server.
                while not done():  # noqa: ASYNC110
                    await asyncio.sleep(0.005)
        except TimeoutError:
            raise AssertionError(
                f"fake Telegram: condition not met in {timeout}s; {len(self.sent)} sent"
            ) from None

    # ---- HTTP -------------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        method = request.match_info["method"].lower()
        try:
            params, uploads = await _read_params(request)
        except ValueError as error:
            return _bad_request(str(error)).response()
        call = ApiCall(method, params, time.monotonic())
        self.calls.append(call)
        unknown = _unknown_parameters(method, params, uploads)
        if unknown:
            return _bad_request(f"unknown parameter {', '.join(unknown)}").response()
        chat_id = params.get("chat_id")
        chat_key = None if chat_id is None else str(chat_id)
        try:
            self._apply_faults(method, chat_key)
            if self.enforce_limits and method in _FLOOD_METHODS:
                self._apply_flood_control(method, params)
            for hold in self._holds:
                if hold.before and hold.matches(method, chat_key):
                    await hold.wait()
            result = await self._dispatch(method, params, uploads)
        except ApiError as error:
            if error.status == 429:
                self.too_many_requests += 1
                self.refused.append(call)
            return error.response()
        for hold in self._holds:
            if not hold.before and hold.matches(method, chat_key):
                await hold.wait()
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        if self.download_status is not None:
            return web.Response(status=self.download_status, text="Scripted failure")
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

    def _apply_faults(self, method: str, chat_key: str | None) -> None:
        for fault in self._faults:
            if fault.matches(method, chat_key):
                fault.remaining -= 1
                raise ApiError(fault.status, fault.description, fault.retry_after)

    def _apply_flood_control(self, method: str, params: Mapping[str, Any]) -> None:
        chat_id = _optional_int(params.get("chat_id"))
        cost = len(_json_param(params, "media") or [None]) if method == "sendmediagroup" else 1
        retry_after = self._flood.check(chat_id, cost)
        if retry_after is not None:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    async def _dispatch(
        self, method: str, params: Mapping[str, Any], uploads: Mapping[str, _Upload]
    ) -> Any:
        match method:
            case "getme":
                return self._bot_user() | {
                    "can_join_groups": True,
                    "can_read_all_group_messages": False,
                    "supports_inline_queries": False,
                }
            case "getupdates":
                return await self._get_updates(params)
            case "setwebhook":
                self.webhook_url = str(params.get("url") or "") or None
                self.webhook_secret = params.get("secret_token")
                return True
            case "deletewebhook":
                self.webhook_url = None
                self.webhook_secret = None
                if _flag(params.get("drop_pending_updates")):
                    self._updates.clear()
                return True
            case "getwebhookinfo":
                return {
                    "url": self.webhook_url or "",
                    "has_custom_certificate": False,
                    "pending_update_count": len(self._updates),
                }
            case "setmycommands":
                self.commands = list(_json_param(params, "commands") or [])
                return True
            case "deletemycommands" | "setchatmenubutton" | "setmydescription":
                return True
            case "sendchataction":
                return True
            case "sendmessage":
                return self._send_message(params)
            case "sendphoto" | "senddocument":
                return self._send_file(method, params, uploads)
            case "sendmediagroup":
                return self._send_media_group(params, uploads)
            case "sendpoll":
                return self._send_poll(params)
            case "editmessagetext":
                return self._edit(params, text=True)
            case "editmessagereplymarkup":
                return self._edit(params, text=False)
            case "answercallbackquery":
                return self._answer_callback(params)
            case "getfile":
                return self._get_file(params)
            case "getchatmember":
                return self._get_chat_member(params)
            case "getchatadministrators":
                return self._get_chat_administrators(params)
            case "getchat":
                return self._get_chat(params)
            case "deletemessage":
                return self._delete_message(params)
            case "editforumtopic":
                return self._edit_forum_topic(params)
            case "createforumtopic":
                return self._create_forum_topic(params)
            case "closeforumtopic":
                return self._set_topic_closed(params, closed=True)
            case "reopenforumtopic":
                return self._set_topic_closed(params, closed=False)
            case _:
                raise ApiError(404, "Not Found: method not found")

    # ---- methods ------------------------------------------------------------------------------

    async def _get_updates(self, params: Mapping[str, Any]) -> list[Json]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _optional_int(params.get("offset"))
        limit = _optional_int(params.get("limit")) or 100
        timeout = _optional_int(params.get("timeout")) or 0
        if offset is not None:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            self._updates_arrived.clear()
            try:
                async with asyncio.timeout(timeout):
                    await self._updates_arrived.wait()
            except TimeoutError:
                return []
        return self._updates[:limit]

    def _send_message(self, params: Mapping[str, Any]) -> Json:
        chat_id = _require_int(params, "chat_id")
        text = str(params.get("text") or "")
        _check_text(text, TEXT_LIMIT, "message is too long", "message text is empty")
        markup = _check_markup(params)
        thread_id, reply = self._placement_of_bot_message(chat_id, params)
        message = self._record(
            "sendmessage",
            chat_id,
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            thread_id=thread_id,
            reply_parameters=reply,
        )
        return self._message_json(message)

    def _send_file(
        self, method: str, params: Mapping[str, Any], uploads: Mapping[str, _Upload]
    ) -> Json:
        chat_id = _require_int(params, "chat_id")
        kind = "photo" if method == "sendphoto" else "document"
        caption = params.get("caption")
        if caption is not None:
            _check_text(str(caption), CAPTION_LIMIT, "message caption is too long", None)
        markup = _check_markup(params)
        thread_id, reply = self._placement_of_bot_message(chat_id, params)
        sent_file = self._take_file(kind, params.get(kind), uploads)
        message = self._record(
            method,
            chat_id,
            caption=caption,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            files=[sent_file],
            thread_id=thread_id,
            reply_parameters=reply,
        )
        return self._message_json(message)

    def _send_media_group(
        self, params: Mapping[str, Any], uploads: Mapping[str, _Upload]
    ) -> list[Json]:
        chat_id = _require_int(params, "chat_id")
        media = _json_param(params, "media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _bad_request("wrong number of media in the album")
        thread_id, reply = self._placement_of_bot_message(chat_id, params)
        results = []
        for item in media:
            caption = item.get("caption")
            if caption is not None:
                _check_text(str(caption), CAPTION_LIMIT, "message caption is too long", None)
            kind = str(item.get("type", "document"))
            sent_file = self._take_file(kind, item.get("media"), uploads)
            message = self._record(
                "sendmediagroup",
                chat_id,
                caption=item.get("caption"),
                files=[sent_file],
                thread_id=thread_id,
                reply_parameters=reply,
            )
            results.append(self._message_json(message))
        return results

    def _send_poll(self, params: Mapping[str, Any]) -> Json:
        chat_id = _require_int(params, "chat_id")
        question = str(params.get("question") or "")
        _check_text(
            question,
            300,
            "poll question length must not exceed 300",
            "poll question must be non-empty",
        )
        options = _json_param(params, "options")
        if not isinstance(options, list) or not 1 <= len(options) <= 12:
            raise _bad_request("poll must have 1-12 options")
        texts = []
        for option in options:
            text = option.get("text") if isinstance(option, dict) else None
            if not isinstance(text, str):
                raise _bad_request("can't parse InputPollOption JSON object")
            _check_text(
                text,
                100,
                "poll options length must not exceed 100",
                "poll options must be non-empty",
            )
            texts.append(text)
        message = self._record("sendpoll", chat_id, text=question)
        message.poll_options = texts
        return self._message_json(message)

    def _edit(self, params: Mapping[str, Any], *, text: bool) -> Json:
        chat_id = _require_int(params, "chat_id")
        message_id = _require_int(params, "message_id")
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise _bad_request("message to edit not found")
        markup = _check_markup(params)
        new_text = message.text
        if text:
            if message.text is None:
                raise _bad_request("there is no text in the message to edit")
            new_text = str(params.get("text") or "")
            _check_text(new_text, TEXT_LIMIT, "MESSAGE_TOO_LONG", "message text is empty")
        if new_text == message.text and markup == message.reply_markup:
            raise _bad_request(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        message.text = new_text
        message.reply_markup = markup
        if text:
            message.parse_mode = params.get("parse_mode")
        message.edits += 1
        return self._message_json(message)

    def _answer_callback(self, params: Mapping[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._open_callbacks.discard(query_id)
        text = params.get("text")
        self.callback_answers.append(
            CallbackAnswer(
                query_id, None if text is None else str(text), _flag(params.get("show_alert"))
            )
        )
        return True

    def _get_chat_member(self, params: Mapping[str, Any]) -> Json:
        chat_id = _require_int(params, "chat_id")
        user_id = _require_int(params, "user_id")
        status = self._member_status.get((chat_id, user_id), "member")
        return member_json(status, self._chat_user(user_id))

    def _get_chat_administrators(self, params: Mapping[str, Any]) -> list[Json]:
        chat_id = _require_int(params, "chat_id")
        admins = [
            member_json(status, self._chat_user(user_id))
            for (chat, user_id), status in self._member_status.items()
            if chat == chat_id and status in {"creator", "administrator"}
        ]
        if not any(member["status"] == "creator" for member in admins):
            admins.insert(0, member_json("creator", FakeUser(1, "Owner").to_json()))
        return admins

    def _chat_user(self, user_id: int) -> Json:
        return self._chat_users.get(user_id, FakeUser(user_id)).to_json()

    def _get_chat(self, params: Mapping[str, Any]) -> Json:
        chat_id = _require_int(params, "chat_id")
        return self._chat(chat_id, None) | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    def _create_forum_topic(self, params: Mapping[str, Any]) -> Json:
        chat_id = _require_int(params, "chat_id")
        name = str(params.get("name") or "")
        if not 1 <= len(name) <= 128:
            raise _bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
        if not self._forums.is_forum(chat_id):
            raise _bad_request("the chat is not a forum")
        topic = self._forums.create(
            chat_id,
            self._take_message_id(chat_id),
            name,
            _optional_int(params.get("icon_color")),
        )
        return topic.to_json()

    def _delete_message(self, params: Mapping[str, Any]) -> bool:
        """Bots may delete their own messages, and only for 48 hours after sending them; in a
        private chat also the user's messages, for as long."""
        chat_id = _require_int(params, "chat_id")
        message_id = _require_int(params, "message_id")
        incoming = self._user_messages.get((chat_id, message_id))
        if chat_id > 0 and incoming is not None:
            if time.time() - int(incoming["date"]) > DELETE_WINDOW_SECONDS:
                raise _bad_request("message can't be deleted for everyone")
            del self._user_messages[(chat_id, message_id)]
            self.deleted_user_messages.append((chat_id, message_id))
            return True
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise _bad_request("message to delete not found")
        if time.time() - message.sent_at > DELETE_WINDOW_SECONDS:
            raise _bad_request("message can't be deleted for everyone")
        del self._messages[(chat_id, message_id)]
        message.deleted = True
        return True

    def _edit_forum_topic(self, params: Mapping[str, Any]) -> bool:
        chat_id = _require_int(params, "chat_id")
        thread_id = _require_int(params, "message_thread_id")
        if not self._forums.is_forum(chat_id):
            raise _bad_request("the chat is not a forum")
        topic = self._topic(chat_id, thread_id)
        name = params.get("name")
        if name is not None:
            if not 1 <= len(str(name)) <= 128:
                raise _bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
            if str(name) == topic.name:
                raise _bad_request("TOPIC_NOT_MODIFIED")
            topic.name = str(name)
        return True

    def age_message(self, chat_id: int, message_id: int, seconds: float) -> None:
        """Make a sent message ``seconds`` older (to test time limits)."""
        self._messages[(chat_id, message_id)].sent_at -= seconds

    def _set_topic_closed(self, params: Mapping[str, Any], *, closed: bool) -> bool:
        chat_id = _require_int(params, "chat_id")
        thread_id = _require_int(params, "message_thread_id")
        if not self._forums.is_forum(chat_id):
            raise _bad_request("the chat is not a forum")
        topic = self._topic(chat_id, thread_id)
        if topic.closed == closed:
            raise _bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = closed
        return True

    def _get_file(self, params: Mapping[str, Any]) -> Json:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    # ---- bookkeeping --------------------------------------------------------------------------

    def _take_file(self, kind: str, value: Any, uploads: Mapping[str, _Upload]) -> SentFile:
        upload: _Upload | None = None
        if isinstance(value, _Upload):
            upload = value
        elif isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise _bad_request("wrong file identifier/HTTP URL specified")
        if upload is not None:
            if not upload.data:
                raise _bad_request("file must be non-empty")
            stored = self.add_file(
                upload.data, file_name=upload.file_name, mime_type=upload.content_type
            )
            return SentFile(kind, stored.file_id, upload.data, upload.file_name, uploaded=True)
        existing = self._files.get(str(value or ""))
        if existing is None:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        return SentFile(kind, existing.file_id, existing.data, existing.file_name, uploaded=False)

    def _record(
        self,
        method: str,
        chat_id: int,
        *,
        text: str | None = None,
        caption: Any = None,
        parse_mode: Any = None,
        reply_markup: Json | None = None,
        files: list[SentFile] | None = None,
        thread_id: int | None = None,
        reply_parameters: Json | None = None,
    ) -> SentMessage:
        message = SentMessage(
            method=method,
            chat_id=chat_id,
            message_id=self._take_message_id(chat_id),
            text=text,
            caption=None if caption is None else str(caption),
            parse_mode=None if parse_mode is None else str(parse_mode),
            reply_markup=reply_markup,
            files=files or [],
            message_thread_id=thread_id,
            reply_parameters=reply_parameters,
        )
        self.sent.append(message)
        self._messages[(chat_id, message.message_id)] = message
        return message

    def _take_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id[chat_id]
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _message_json(self, message: SentMessage) -> Json:
        data: Json = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": self._chat(message.chat_id, None),
            "from": self._bot_user(),
        }
        if message.text is not None:
            data["text"] = message.text
        if message.caption is not None:
            data["caption"] = message.caption
        if message.reply_markup:
            data["reply_markup"] = message.reply_markup
        reply_to = message.reply_to
        if message.message_thread_id is not None:
            data["message_thread_id"] = message.message_thread_id
            data["is_topic_message"] = True
        replied = self._reply_target(message.chat_id, message.message_thread_id, reply_to)
        if replied is not None:
            data["reply_to_message"] = replied
        for sent_file in message.files:
            stored = self._files[sent_file.file_id]
            if sent_file.kind == "photo":
                data["photo"] = [_photo_size(stored, 800, 600)]
            else:
                data["document"] = _document(stored)
        return data

    def _topic(self, chat_id: int, thread_id: int) -> FakeTopic:
        topic = self._forums.get(chat_id, thread_id)
        if topic is None:
            raise _bad_request("message thread not found")
        return topic

    def _placement_of_bot_message(
        self, chat_id: int, params: Mapping[str, Any]
    ) -> tuple[int | None, Json | None]:
        thread_id = _optional_int(params.get("message_thread_id"))
        if thread_id is not None:
            self._topic(chat_id, thread_id)
        reply = _json_param(params, "reply_parameters")
        if reply is None:
            return thread_id, None
        if not isinstance(reply, dict):
            raise _bad_request("can't parse reply parameters JSON object")
        target = _optional_int(reply.get("message_id"))
        reply_chat = _optional_int(reply.get("chat_id")) or chat_id
        if target is None:
            raise _bad_request("message to be replied not found")
        if self._find_message(reply_chat, target) is None and not _flag(
            reply.get("allow_sending_without_reply")
        ):
            raise _bad_request("message to be replied not found")
        return thread_id, dict(reply)

    def _placement_of_user_message(
        self, chat_id: int, thread_id: int | None, reply_to: int | None
    ) -> Json:
        replied = None if reply_to is None else self._find_message(chat_id, reply_to)
        if reply_to is not None and replied is None:
            raise ValueError(f"no message {reply_to} in chat {chat_id} to reply to")
        if not self._forums.is_forum(chat_id):
            if thread_id is not None:
                raise ValueError(f"chat {chat_id} is not a forum: declare it with forum_chat")
            placement: Json = {}
            if replied is not None:
                placement["reply_to_message"] = replied
                if str(chat_id).startswith("-100"):
                    placement["message_thread_id"] = replied.get(
                        "message_thread_id", replied["message_id"]
                    )
            return placement
        if thread_id is None and replied is not None and replied.get("is_topic_message"):
            thread_id = int(replied["message_thread_id"])
        if thread_id is None:
            return {"reply_to_message": replied} if replied is not None else {}
        topic = self._forums.get(chat_id, thread_id)
        if topic is None:
            raise ValueError(f"no topic {thread_id} in chat {chat_id}")
        return {
            "message_thread_id": thread_id,
            "is_topic_message": True,
            "reply_to_message": replied
            or topic.service_message(self._chat(chat_id, None), self._bot_user()),
        }

    def _reply_target(
        self, chat_id: int, thread_id: int | None, reply_to: int | None
    ) -> Json | None:
        if reply_to is not None:
            found = self._find_message(chat_id, reply_to)
            if found is not None:
                return found
        if thread_id is not None:
            topic = self._forums.get(chat_id, thread_id)
            if topic is not None:
                return topic.service_message(self._chat(chat_id, None), self._bot_user())
        return None

    def _find_message(self, chat_id: int, message_id: int) -> Json | None:
        """A message of the chat as it would appear in ``reply_to_message`` (without its own
        reply, as Telegram nests only one level)."""
        found: Json | None = None
        if (chat_id, message_id) in self._messages:
            found = self._message_json(self._messages[(chat_id, message_id)])
        elif (chat_id, message_id) in self._user_messages:
            found = dict(self._user_messages[(chat_id, message_id)])
        else:
            topic = self._forums.get(chat_id, message_id)
            if topic is not None:
                found = topic.service_message(self._chat(chat_id, None), self._bot_user())
        if found is not None:
            found.pop("reply_to_message", None)
        return found

    def _bot_user(self) -> Json:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Library",
            "username": self.bot_username,
        }

    @staticmethod
    def _user(chat_id: int, user: FakeUser | None, language_code: str | None) -> FakeUser:
        sender = user or FakeUser(id=chat_id if chat_id > 0 else 1000)
        if language_code is not None:
            sender = FakeUser(
                sender.id, sender.first_name, sender.last_name, sender.username, language_code
            )
        return sender

    def _chat(self, chat_id: int, sender: FakeUser | None) -> Json:
        if chat_id > 0:
            chat: Json = {"id": chat_id, "type": "private"}
            if sender is not None:
                chat["first_name"] = sender.first_name
            return chat
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        chat = {"id": chat_id, "type": kind, "title": "Staff"}
        if self._forums.is_forum(chat_id):
            chat["is_forum"] = True
        return chat


@dataclass(frozen=True, slots=True)
class _Upload:
    file_name: str | None
    content_type: str | None
    data: bytes


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, _Upload]]:
    params: dict[str, Any] = dict(request.query)
    uploads: dict[str, _Upload] = {}
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("the JSON body must be an object")
        params.update(body)
        return params, uploads
    if request.can_read_body:
        form: MultiDictProxy[Any] = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                upload = _Upload(value.filename, value.content_type, value.file.read())
                uploads[key] = upload
                params[key] = upload
            else:
                params[key] = value
    return params, uploads


def _load_method_parameters() -> dict[str, frozenset[str]]:
    spec = json.loads((Path(__file__).parent / "telegram_methods.json").read_text("utf-8"))
    return {name.lower(): frozenset(fields) for name, fields in spec["methods"].items()}


_METHOD_PARAMETERS = _load_method_parameters()
"""What the current Bot API defines for each method the fake implements (see
``telegram_methods.json``), so a parameter Telegram dropped or never had is caught here."""


def _unknown_parameters(
    method: str, params: Mapping[str, Any], uploads: Mapping[str, _Upload]
) -> list[str]:
    """The parameters ``method`` does not define, in the order they came.

    A file part that a parameter names as ``attach://<name>`` (the albums of sendMediaGroup)
    is not a parameter. An unimplemented method is left to ``_dispatch`` to answer 404.
    """
    known = _METHOD_PARAMETERS.get(method)
    if known is None:
        return []
    attached = {
        name
        for name in uploads
        if any(isinstance(v, str) and f"attach://{name}" in v for v in params.values())
    }
    return [name for name in params if name not in known and name not in attached]


def _json_param(params: Mapping[str, Any], key: str) -> Any:
    value = params.get(key)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise _bad_request(f"can't parse {key} JSON object") from None
    return value


def _require_int(params: Mapping[str, Any], key: str) -> int:
    value = _optional_int(params.get(key))
    if value is None:
        raise _bad_request(f"{key} is empty")
    return value


def _optional_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad_request(f"invalid number {value!r}") from None


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in {"true", "1"}


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _check_text(text: str, limit: int, too_long: str, empty: str | None) -> None:
    if empty is not None and not text.strip():
        raise _bad_request(empty)
    if _utf16_length(text) > limit:
        raise _bad_request(too_long)


def _check_markup(params: Mapping[str, Any]) -> Json | None:
    markup = _json_param(params, "reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        return markup
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise _bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in keyboard:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text") or "").strip():
                raise _bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None:
                size = len(str(data).encode("utf-8"))
                if not 1 <= size <= CALLBACK_DATA_LIMIT:
                    raise _bad_request("BUTTON_DATA_INVALID")
            elif not any(
                k in button
                for k in ("url", "switch_inline_query", "web_app", "login_url", "pay", "copy_text")
            ):
                raise _bad_request("text buttons are unallowed in the inline keyboard")
    return markup


def _photo_size(stored: StoredFile, width: int, height: int) -> Json:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": width,
        "height": height,
        "file_size": len(stored.data),
    }


def _document(stored: StoredFile) -> Json:
    data: Json = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        data["file_name"] = stored.file_name
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    return data
