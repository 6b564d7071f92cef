"""A fake VK API server on 127.0.0.1: the tests' fake and the playground's platform.

It speaks the parts of the VK API the adapter uses, the way VK does: ``POST
{base}/method/<name>`` with form parameters (``access_token`` and ``v`` included), HTTP 200
answers of ``{"response": ...}`` or ``{"error": {"error_code": N, "error_msg": ...}}``, a Bots
Long Poll endpoint, upload servers and a file route. Everything the bot sends is recorded.
A parameter the method does not define in VK API 5.199 (``vk_methods.py``) is error 100.

Use it as an async context manager::

    async with FakeVkServer() as vk:
        api = VkApi(vk.token, base_url=vk.api_base)
        ...
        vk.fail_next(901)            # the next API call answers error 901
        vk.http_error_next(500)      # the next API call answers HTTP 500
        vk.hold_next("messages.send")  # processed and recorded, answer held until release_held()
        vk.push_message(peer_id=1, text="hi")  # a message_new for long poll
        assert vk.sent_to(1)[0].text == "..."

Group chats: ``add_chat_member(2000000001, user, admin=True)`` puts people (and admins, and
with ``owner=True`` the owner) in a chat for ``messages.getConversationMembers``, which
answers error 917 unless the community is an admin there (``set_community_admin``).
``push_message(2000000001, "text", from_id=user, reply_to=cmid)`` writes in the chat as a
reply; ``forwarded=[cmid]`` forwards messages of the chat instead. A ``forward`` sent with
``messages.send`` is recorded on the ``Delivery``.

The Bots Long Poll keeps a history of events by ``ts`` (an event counter) as VK does, so a
client that comes back with an older ``ts`` gets what it missed. The history is limited
(``long_poll_history`` events): a ``ts`` older than what is kept answers ``failed: 1`` with
the current ``ts``. ``expire_key()`` makes the key answer ``failed: 2`` (the ``ts`` stays
valid with a new key); ``lose_long_poll_state()`` forgets keys and history, and an old key
answers ``failed: 3``.

With ``enforce_limits=True`` it answers error 6 past 20 requests per second per token and
counts those answers in ``too_many_requests``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

from bot.playground.platforms.observed import observed
from bot.playground.platforms.vk_chats import NO_ACCESS, NO_ACCESS_MESSAGE, ChatMember, Chats
from bot.playground.platforms.vk_methods import COMMON_PARAMETERS, METHOD_PARAMETERS

API_VERSION = "5.199"
CHAT_PEER_BASE = 2_000_000_000
MAX_TEXT = 4096
MAX_LABEL = 40
MAX_PAYLOAD = 255
MAX_PEER_IDS = 100
DELETE_WINDOW_SECONDS = 24 * 3600
"""How long after sending a community may delete its message for everyone."""

JsonDict = dict[str, Any]


class VkApiFault(Exception):
    """Raised inside a method implementation to answer with a VK error object."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


ERROR_MESSAGES: Mapping[int, str] = {
    5: "User authorization failed: invalid access_token",
    6: "Too many requests per second",
    7: "Permission to perform this action is denied",
    9: "Flood control",
    10: "Internal server error",
    27: "Group authorization failed: method is unavailable with group auth.",
    29: "Rate limit reached",
    100: "One of the parameters specified was missing or invalid",
    901: "Can't send messages for users without permission",
    902: "Can't send messages to this user due to their privacy settings",
    911: "Keyboard format is invalid",
    912: "This is a chat bot feature, change this status in settings",
    914: "Message is too long",
    924: "Can't delete this message for everybody",
    917: NO_ACCESS_MESSAGE,
}


USER_TOKEN_METHODS = frozenset(
    {"wall.post", "photos.getWallUploadServer", "photos.saveWallPhoto", "polls.create"}
)
"""Methods VK refuses with a community token (error 27): they need a user token."""
WALL_TEXT_LIMIT = 16_384


@dataclass(frozen=True, slots=True)
class WallPost:
    """A post the bot made on the community wall."""

    post_id: int
    owner_id: int
    message: str
    attachments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message the bot made VK deliver to one peer."""

    peer_id: int
    text: str
    keyboard: JsonDict | None
    attachments: tuple[str, ...]
    random_id: int
    message_id: int
    conversation_message_id: int
    forward: JsonDict | None = None
    """The ``forward`` parameter as sent: messages quoted or, with ``is_reply``, replied to."""

    @property
    def reply_to(self) -> int | None:
        """The conversation message id this message replies to (``forward`` with
        ``is_reply``)."""
        if not self.forward or not self.forward.get("is_reply"):
            return None
        ids = self.forward.get("conversation_message_ids") or []
        return int(ids[0]) if len(ids) == 1 else None


@dataclass(frozen=True, slots=True)
class Edit:
    peer_id: int
    conversation_message_id: int
    text: str
    keyboard: JsonDict | None
    attachments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EventAnswer:
    event_id: str
    user_id: int
    peer_id: int
    event_data: JsonDict | None


@dataclass(frozen=True, slots=True)
class Call:
    """One API method call as it arrived, token removed."""

    method: str
    params: dict[str, str]


@dataclass(slots=True)
class _Fault:
    kind: str
    method: str | None
    remaining: int
    code: int = 0
    message: str = ""
    status: int = 500


@dataclass(slots=True)
class _Stored:
    peer_id: int
    message_id: int
    conversation_message_id: int
    text: str
    keyboard: JsonDict | None
    attachments: tuple[str, ...]
    sent_at: float = field(default_factory=time.time)


@dataclass(slots=True)
class _User:
    first_name: str
    last_name: str


@dataclass(slots=True)
class _PendingUpload:
    kind: str
    data: bytes = b""
    file_name: str = ""
    ready: bool = False


@dataclass(slots=True)
class _LongPoll:
    key: str
    ts: int = 0
    history_start: int = 0
    """The ``ts`` the oldest kept event follows: ``updates[0]`` is event ``history_start + 1``."""
    updates: list[JsonDict] = field(default_factory=list)
    expired_keys: set[str] = field(default_factory=set)
    forced_failure: deque[int] = field(default_factory=deque)
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class FakeVkServer:
    """The fake VK API. See the module docstring for how tests drive it."""

    def __init__(
        self,
        *,
        token: str = "vk-test-token-0123456789",
        user_token: str = "vk-user-token-9876543210",
        group_id: int = 1001,
        group_name: str = "Medical library",
        confirmation_code: str = "c0nf1rm",
        enforce_limits: bool = False,
        requests_per_second: int = 20,
        jitter_allowance: float = 0.1,
        bot_features: bool = True,
        long_poll_history: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.user_token = user_token
        self.wall: list[WallPost] = []
        self.polls: dict[str, tuple[str, list[str]]] = {}
        self._wall_guids: dict[str, int] = {}
        self.group_id = group_id
        self.group_name = group_name
        self.confirmation_code = confirmation_code
        self.enforce_limits = enforce_limits
        self.requests_per_second = requests_per_second
        self._clock = clock
        """What the request limit is counted on (seconds): virtual time in tests whose
        limiter runs on it."""
        # Arrivals on the server side bunch up relative to the client's clock (the client and
        # this server share one event loop in tests); a real network adds the same kind of
        # jitter, so the window is a little shorter than a second.
        self.jitter_allowance = jitter_allowance
        self.bot_features = bot_features
        self.long_poll_enabled = True
        """What ``groups.getLongPollSettings`` reports, with ``long_poll_events``."""
        self.long_poll_events: set[str] = {"message_new", "message_event", "message_reply"}
        self.token_permissions: set[str] = {"messages", "manage", "photos", "docs"}
        """The permission names ``groups.getTokenPermissions`` reports for the token."""

        self.deliveries: list[Delivery] = []
        self.edits: list[Edit] = []
        self.deleted: list[tuple[int, int]] = []
        """``(peer_id, conversation_message_id)`` of messages deleted for everyone."""
        self.event_answers: list[EventAnswer] = []
        self.calls: list[Call] = []
        self.too_many_requests = 0
        self.callback_responses: list[tuple[int, str]] = []

        self._faults: list[_Fault] = []
        self._held = asyncio.Event()
        self.held_count = 0
        self._arrivals: deque[float] = deque()
        self._messages: dict[tuple[int, int], _Stored] = {}
        self._random_ids: dict[tuple[int, int], _Stored] = {}
        self._cmid: dict[int, int] = {}
        self._message_ids = itertools.count(1)
        self._users: dict[int, _User] = {}
        self._chats = Chats()
        self._user_messages: dict[tuple[int, int], JsonDict] = {}
        self._uploads: dict[str, _PendingUpload] = {}
        self._saved: dict[str, bytes] = {}
        self._files: dict[str, tuple[bytes, str]] = {}
        self._event_ids: set[str] = set()
        self._blocked: dict[int, int] = {}
        self._object_ids = itertools.count(500)
        self._lp = _LongPoll(key=secrets.token_hex(8))
        self.long_poll_history = long_poll_history
        self.long_poll_checks = 0
        self.long_poll_waiting = 0
        """How many ``a_check`` requests are waiting for updates right now."""
        self._closing = False

        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.base_url = ""
        self.observers: list[Callable[[], None]] = []
        """Called after every request the server answered (the playground redraws its page)."""

    async def __aenter__(self) -> FakeVkServer:
        app = web.Application(middlewares=[observed(self.observers)])
        app.router.add_post("/method/{name}", self._method)
        app.router.add_get("/method/{name}", self._method)
        app.router.add_route("*", "/lp/{group_id}", self._long_poll)
        app.router.add_post("/upload/{upload_id}", self._upload)
        app.router.add_get("/files/{file_id}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None)
        assert sockets
        port = sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing = True
        self._held.set()
        self._lp.changed.set()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        """What ``VK_API_BASE`` is in tests: ``http://127.0.0.1:PORT/method/``."""
        return f"{self.base_url}/method/"

    # Scripting faults

    def fail_next(
        self, code: int, *, method: str | None = None, times: int = 1, message: str | None = None
    ) -> None:
        """Answer the next ``times`` calls (of ``method``, or of any method) with VK error
        ``code`` without processing them."""
        text = message or ERROR_MESSAGES.get(code, f"Error {code}")
        self._faults.append(_Fault("error", method, times, code=code, message=text))

    def http_error_next(
        self, status: int = 500, *, method: str | None = None, times: int = 1
    ) -> None:
        """Answer the next calls with a bare HTTP error instead of a VK answer."""
        self._faults.append(_Fault("http", method, times, status=status))

    def hold_next(self, method: str | None = None, *, times: int = 1) -> None:
        """Process and record the next calls but hold their answers until ``release_held``."""
        self._held.clear()
        self._faults.append(_Fault("hold", method, times))

    def release_held(self) -> None:
        self._held.set()

    def block(self, peer_id: int, code: int = 901) -> None:
        """Make every send to ``peer_id`` fail with ``code`` (901: no permission, 902: privacy)."""
        self._blocked[peer_id] = code

    def unblock(self, peer_id: int) -> None:
        """The reader allowed messages from the community again."""
        self._blocked.pop(peer_id, None)

    def fail_long_poll_next(self, failed: int) -> None:
        """Answer the next ``a_check`` with ``{"failed": failed}`` (1, 2 or 3)."""
        self._lp.forced_failure.append(failed)
        self._lp.changed.set()

    def expire_key(self) -> None:
        """Issue a new long poll key; a check with the old one answers ``failed: 2``."""
        self._lp.expired_keys.add(self._lp.key)
        self._lp.key = secrets.token_hex(8)
        self._lp.changed.set()

    def lose_long_poll_state(self) -> None:
        """VK lost the long poll's keys and history: a check with any key issued so far
        answers ``failed: 3``, and no event before now can be read any more."""
        lp = self._lp
        lp.expired_keys.clear()
        lp.key = secrets.token_hex(8)
        lp.updates.clear()
        lp.history_start = lp.ts
        lp.changed.set()

    # Test data

    def add_user(self, user_id: int, first_name: str, last_name: str = "") -> None:
        self._users[user_id] = _User(first_name, last_name)

    def add_chat_member(
        self, peer_id: int, user_id: int, *, admin: bool = False, owner: bool = False
    ) -> None:
        """Put a user into the group chat ``peer_id`` (≥ 2000000000); an owner is an admin."""
        chat = self._chats.chat(peer_id)
        if owner:
            for member in chat.members.values():
                member.is_owner = False
        chat.members[user_id] = ChatMember(user_id, is_admin=admin or owner, is_owner=owner)

    def set_community_admin(self, peer_id: int, admin: bool) -> None:
        """Whether the community administers the chat (VK lists members only then)."""
        self._chats.chat(peer_id).community_is_admin = admin

    def add_file(self, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Serve ``data`` from the fake and return its download URL."""
        file_id = secrets.token_hex(6)
        self._files[file_id] = (data, content_type)
        return f"{self.base_url}/files/{file_id}"

    def saved_bytes(self, attachment: str) -> bytes:
        """The bytes behind an uploaded attachment string such as ``photo-1001_501``."""
        owner_item = attachment.split("_")
        return self._saved["_".join(owner_item[:2])]

    def photo_attachment(self, data: bytes, *, sizes: int = 3) -> JsonDict:
        """A ``photo`` attachment object as VK puts it in ``message_new``; the largest size
        serves ``data`` and the smaller ones serve a placeholder."""
        photo_id = next(self._object_ids)
        size_list = []
        letters = "smxyzw"
        for index in range(sizes):
            width = 75 * (2**index)
            largest = index == sizes - 1
            url = self.add_file(data if largest else b"small", "image/jpeg")
            size_list.append(
                {"type": letters[index % 6], "url": url, "width": width, "height": width}
            )
        size_list.reverse()
        return {
            "type": "photo",
            "photo": {
                "id": photo_id,
                "owner_id": 1,
                "access_key": "k" + str(photo_id),
                "sizes": size_list,
            },
        }

    def doc_attachment(self, data: bytes, *, title: str = "file.pdf", ext: str = "pdf") -> JsonDict:
        doc_id = next(self._object_ids)
        return {
            "type": "doc",
            "doc": {
                "id": doc_id,
                "owner_id": 1,
                "title": title,
                "ext": ext,
                "size": len(data),
                "url": self.add_file(data),
                "type": 1,
            },
        }

    # Pushing updates

    def build_message_new(
        self,
        peer_id: int,
        text: str = "",
        *,
        from_id: int | None = None,
        attachments: list[JsonDict] | None = None,
        payload: str | JsonDict | None = None,
        client_info: JsonDict | None = None,
        button_actions: list[str] | None = None,
        keyboard: bool = True,
        inline_keyboard: bool = True,
        lang_id: int = 0,
        reply_to: int | None = None,
        forwarded: list[int] | None = None,
        fwd_messages: list[JsonDict] | None = None,
    ) -> JsonDict:
        """A ``message_new`` update as VK sends it (without pushing it anywhere).

        ``reply_to`` (a conversation message id of this peer) adds ``reply_message``;
        ``forwarded`` puts those messages of this peer into ``fwd_messages``, and
        ``fwd_messages`` gives that list as is (say, messages of another conversation).
        """
        sender = from_id if from_id is not None else peer_id
        replied = None if reply_to is None else self._quoted(peer_id, reply_to)
        quoted = [self._quoted(peer_id, cmid) for cmid in forwarded or []]
        cmid = self._next_cmid(peer_id)
        message: JsonDict = {
            "id": 0 if peer_id >= CHAT_PEER_BASE else next(self._message_ids),
            "date": int(time.time()),
            "peer_id": peer_id,
            "from_id": sender,
            "text": text,
            "conversation_message_id": cmid,
            "attachments": attachments or [],
            "out": 0,
            "fwd_messages": fwd_messages if fwd_messages is not None else quoted,
            "important": False,
            "is_hidden": False,
        }
        if replied is not None:
            message["reply_message"] = replied
        self._user_messages[(peer_id, cmid)] = message
        if payload is not None:
            message["payload"] = payload if isinstance(payload, str) else json.dumps(payload)
        info = client_info or {
            "button_actions": button_actions
            if button_actions is not None
            else ["text", "vkpay", "open_app", "location", "open_link", "callback"],
            "keyboard": keyboard,
            "inline_keyboard": inline_keyboard,
            "carousel": True,
            "lang_id": lang_id,
        }
        return self._wrap("message_new", {"message": message, "client_info": info})

    def build_message_event(
        self,
        peer_id: int,
        payload: JsonDict | None,
        *,
        user_id: int | None = None,
        conversation_message_id: int = 1,
    ) -> JsonDict:
        """A ``message_event`` update: a callback button press."""
        event_id = secrets.token_hex(6)
        self._event_ids.add(event_id)
        body: JsonDict = {
            "user_id": user_id if user_id is not None else peer_id,
            "peer_id": peer_id,
            "event_id": event_id,
            "conversation_message_id": conversation_message_id,
        }
        if payload is not None:
            body["payload"] = payload
        return self._wrap("message_event", body)

    def build_confirmation(self) -> JsonDict:
        return {"type": "confirmation", "group_id": self.group_id}

    def push(self, update: JsonDict) -> JsonDict:
        """Queue an update for the long poll endpoint."""
        lp = self._lp
        lp.updates.append(update)
        lp.ts += 1
        if len(lp.updates) > self.long_poll_history:
            dropped = len(lp.updates) - self.long_poll_history
            del lp.updates[:dropped]
            lp.history_start += dropped
        lp.changed.set()
        return update

    def push_message(self, peer_id: int, text: str = "", **kwargs: Any) -> JsonDict:
        """Queue a ``message_new``; keyword arguments are those of ``build_message_new``."""
        return self.push(self.build_message_new(peer_id, text, **kwargs))

    def push_message_event(
        self,
        peer_id: int,
        payload: JsonDict | None,
        *,
        user_id: int | None = None,
        conversation_message_id: int = 1,
    ) -> JsonDict:
        return self.push(
            self.build_message_event(
                peer_id,
                payload,
                user_id=user_id,
                conversation_message_id=conversation_message_id,
            )
        )

    async def post_callback(
        self, url: str, update: JsonDict, *, secret: str | None = None
    ) -> tuple[int, str]:
        """POST an update to a Callback API endpoint as VK does and return (status, body)."""
        body = dict(update)
        if secret is not None:
            body["secret"] = secret
        if self._client is None:
            self._client = aiohttp.ClientSession()
        async with self._client.post(url, json=body) as response:
            result = (response.status, await response.text())
        self.callback_responses.append(result)
        return result

    async def push_confirmation(self, url: str, *, secret: str | None = None) -> tuple[int, str]:
        return await self.post_callback(url, self.build_confirmation(), secret=secret)

    # Looking at what was sent

    def sent_to(self, peer_id: int) -> list[Delivery]:
        return [d for d in self.deliveries if d.peer_id == peer_id]

    def forwarded_message(self, peer_id: int, conversation_message_id: int) -> JsonDict:
        """A message of ``peer_id`` as VK quotes it in ``reply_message`` or ``fwd_messages``."""
        return self._quoted(peer_id, conversation_message_id)

    def user_messages(self, peer_id: int) -> list[JsonDict]:
        """The users' messages in the conversation, as the bot received them, oldest first."""
        return [m for (peer, _), m in self._user_messages.items() if peer == peer_id]

    def is_deleted(self, peer_id: int, conversation_message_id: int) -> bool:
        return (peer_id, conversation_message_id) in self.deleted

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def message(self, peer_id: int, conversation_message_id: int) -> Edit:
        """The current state of a sent message, edits applied."""
        stored = self._messages[(peer_id, conversation_message_id)]
        return Edit(
            stored.peer_id,
            stored.conversation_message_id,
            stored.text,
            stored.keyboard,
            stored.attachments,
        )

    async def wait_for(
        self, condition: Callable[[], bool], *, within: float = 5.0, interval: float = 0.01
    ) -> None:
        """Wait until ``condition()`` holds; fail the test after ``within`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not condition():
            if loop.time() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(interval)

    async def wait_for_poller(self, *, after_checks: int = 0, within: float = 5.0) -> None:
        """Wait until a long poll client is waiting (in a check later than the first
        ``after_checks``), so that updates pushed from now on reach it: VK, too, only
        delivers updates newer than the ``ts`` a client holds."""
        await self.wait_for(
            lambda: self.long_poll_waiting > 0 and self.long_poll_checks > after_checks,
            within=within,
        )

    # HTTP handlers

    async def _method(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        params: dict[str, str] = dict(request.query)
        if request.method == "POST":
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        token = params.pop("access_token", None)
        self.calls.append(Call(name, dict(params)))

        fault = self._take_fault(name)
        if fault is not None and fault.kind == "http":
            return web.Response(status=fault.status, text="Internal Server Error")
        if token not in (self.token, self.user_token):
            return self._error(5, ERROR_MESSAGES[5], name, params)
        if token == self.token and name in USER_TOKEN_METHODS:
            return self._error(27, ERROR_MESSAGES[27], name, params)
        if self._over_limit():
            self.too_many_requests += 1
            return self._error(6, ERROR_MESSAGES[6], name, params)
        if fault is not None and fault.kind == "error":
            return self._error(fault.code, fault.message, name, params)
        if "v" not in params:
            return self._error(8, "Invalid request: v (version) is required", name, params)

        handler = self._methods().get(name)
        if handler is None:
            return self._error(3, "Unknown method passed", name, params)
        unknown = [key for key in params if key not in _parameters_of(name)]
        if unknown:
            message = f"{ERROR_MESSAGES[100]}: unknown parameter {', '.join(unknown)}"
            return self._error(100, message, name, params)
        try:
            result = handler(params)
        except VkApiFault as error:
            return self._error(error.code, error.message, name, params)
        if fault is not None and fault.kind == "hold":
            self.held_count += 1
            await self._held.wait()
        return web.json_response({"response": result})

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.method is None or fault.method == method:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _over_limit(self) -> bool:
        if not self.enforce_limits:
            return False
        now = self._clock()
        window = 1.0 - self.jitter_allowance
        while self._arrivals and self._arrivals[0] <= now - window:
            self._arrivals.popleft()
        self._arrivals.append(now)
        return len(self._arrivals) > self.requests_per_second

    def _error(
        self, code: int, message: str, method: str, params: Mapping[str, str]
    ) -> web.Response:
        request_params = [{"key": "method", "value": method}] + [
            {"key": key, "value": value} for key, value in params.items() if key in {"v"}
        ]
        return web.json_response(
            {"error": {"error_code": code, "error_msg": message, "request_params": request_params}}
        )

    def _methods(self) -> dict[str, Callable[[dict[str, str]], Any]]:
        return {
            "groups.getById": self._groups_get_by_id,
            "groups.getLongPollServer": self._groups_get_long_poll_server,
            "groups.getLongPollSettings": self._groups_get_long_poll_settings,
            "groups.getSettings": self._groups_get_settings,
            "groups.getTokenPermissions": self._groups_get_token_permissions,
            "groups.getCallbackConfirmationCode": self._groups_get_confirmation_code,
            "messages.send": self._messages_send,
            "messages.edit": self._messages_edit,
            "messages.delete": self._messages_delete,
            "messages.sendMessageEventAnswer": self._send_message_event_answer,
            "photos.getMessagesUploadServer": self._photos_upload_server,
            "photos.saveMessagesPhoto": self._photos_save,
            "docs.getMessagesUploadServer": self._docs_upload_server,
            "docs.save": self._docs_save,
            "users.get": self._users_get,
            "messages.getConversationMembers": self._get_conversation_members,
            "photos.getWallUploadServer": self._wall_upload_server,
            "photos.saveWallPhoto": self._photos_save,
            "polls.create": self._polls_create,
            "wall.post": self._wall_post,
        }

    # API methods

    def _groups_get_by_id(self, params: dict[str, str]) -> JsonDict:
        return {
            "groups": [
                {
                    "id": self.group_id,
                    "name": self.group_name,
                    "screen_name": f"club{self.group_id}",
                    "type": "group",
                }
            ],
            "profiles": [],
        }

    def _groups_get_long_poll_server(self, params: dict[str, str]) -> JsonDict:
        if _int(params, "group_id") != self.group_id:
            raise VkApiFault(
                100, "One of the parameters specified was missing or invalid: group_id"
            )
        return {
            "key": self._lp.key,
            "server": f"{self.base_url}/lp/{self.group_id}",
            "ts": str(self._lp.ts),
        }

    def _own_group(self, params: dict[str, str]) -> None:
        if _int(params, "group_id") != self.group_id:
            raise VkApiFault(15, "Access denied: no access to this community")

    def _groups_get_long_poll_settings(self, params: dict[str, str]) -> JsonDict:
        self._own_group(params)
        events = ("message_new", "message_reply", "message_edit", "message_event", "wall_post_new")
        return {
            "is_enabled": self.long_poll_enabled,
            "api_version": "5.199",
            "events": {name: int(name in self.long_poll_events) for name in events},
        }

    def _groups_get_settings(self, params: dict[str, str]) -> JsonDict:
        self._own_group(params)
        return {
            "title": self.group_name,
            "description": "",
            "bots_capabilities": self.bot_features,
            "bots_start_button": self.bot_features,
            "bots_add_to_chat": False,
        }

    def _groups_get_token_permissions(self, params: dict[str, str]) -> JsonDict:
        bits = {"manage": 262144, "messages": 4096, "photos": 4, "docs": 131072}
        granted = [name for name in bits if name in self.token_permissions]
        return {
            "mask": sum(bits[name] for name in granted),
            "permissions": [{"name": name, "setting": bits[name]} for name in granted],
        }

    def _groups_get_confirmation_code(self, params: dict[str, str]) -> JsonDict:
        self._own_group(params)
        return {"code": self.confirmation_code}

    def _messages_send(self, params: dict[str, str]) -> Any:
        text = params.get("message", "")
        attachments = _split_list(params.get("attachment", ""))
        if "random_id" not in params:
            raise VkApiFault(
                100, "One of the parameters specified was missing or invalid: random_id"
            )
        random_id = _int(params, "random_id")
        if not text and not attachments:
            raise VkApiFault(100, "One of the parameters specified was missing or invalid: message")
        if len(text) > MAX_TEXT:
            raise VkApiFault(914, ERROR_MESSAGES[914])
        keyboard = self._check_keyboard(params.get("keyboard"))
        self._check_attachments(attachments)
        forward = _forward(params.get("forward"))

        if "peer_ids" in params:
            peers = [int(p) for p in _split_list(params["peer_ids"])]
            if not peers or len(peers) > MAX_PEER_IDS:
                raise VkApiFault(
                    100, "One of the parameters specified was missing or invalid: peer_ids"
                )
            results: list[JsonDict] = []
            for peer in peers:
                if peer in self._blocked:
                    code = self._blocked[peer]
                    results.append(
                        {
                            "peer_id": peer,
                            "error": {"code": code, "description": ERROR_MESSAGES[code]},
                        }
                    )
                    continue
                self._check_forward(forward, peer)
                stored = self._deliver(peer, text, keyboard, attachments, random_id, forward)
                results.append(
                    {
                        "peer_id": peer,
                        "message_id": stored.message_id,
                        "conversation_message_id": stored.conversation_message_id,
                    }
                )
            return results

        if "peer_id" in params:
            peer = _int(params, "peer_id")
        elif "user_id" in params:
            peer = _int(params, "user_id")
        else:
            raise VkApiFault(100, "One of the parameters specified was missing or invalid: peer_id")
        if peer in self._blocked:
            code = self._blocked[peer]
            raise VkApiFault(code, ERROR_MESSAGES[code])
        self._check_forward(forward, peer)
        return self._deliver(peer, text, keyboard, attachments, random_id, forward).message_id

    def _deliver(
        self,
        peer: int,
        text: str,
        keyboard: JsonDict | None,
        attachments: tuple[str, ...],
        random_id: int,
        forward: JsonDict | None = None,
    ) -> _Stored:
        if random_id and (peer, random_id) in self._random_ids:
            return self._random_ids[(peer, random_id)]
        stored = _Stored(
            peer_id=peer,
            message_id=next(self._message_ids),
            conversation_message_id=self._next_cmid(peer),
            text=text,
            keyboard=keyboard,
            attachments=attachments,
        )
        self._messages[(peer, stored.conversation_message_id)] = stored
        if random_id:
            self._random_ids[(peer, random_id)] = stored
        self.deliveries.append(
            Delivery(
                peer_id=peer,
                text=text,
                keyboard=keyboard,
                attachments=attachments,
                random_id=random_id,
                message_id=stored.message_id,
                conversation_message_id=stored.conversation_message_id,
                forward=forward,
            )
        )
        return stored

    def _messages_edit(self, params: dict[str, str]) -> int:
        peer = _int(params, "peer_id")
        stored: _Stored | None = None
        if "conversation_message_id" in params:
            stored = self._messages.get((peer, _int(params, "conversation_message_id")))
        elif "message_id" in params:
            message_id = _int(params, "message_id")
            stored = next(
                (
                    s
                    for s in self._messages.values()
                    if s.message_id == message_id and s.peer_id == peer
                ),
                None,
            )
        if stored is None:
            raise VkApiFault(100, "One of the parameters specified was missing or invalid: message")
        text = params.get("message", "")
        if len(text) > MAX_TEXT:
            raise VkApiFault(914, ERROR_MESSAGES[914])
        # Like VK, an edit replaces the whole message: what it does not repeat is dropped.
        keyboard = self._check_keyboard(params.get("keyboard"))
        attachments = _split_list(params.get("attachment", ""))
        self._check_attachments(attachments)
        stored.text, stored.keyboard, stored.attachments = text, keyboard, attachments
        self.edits.append(
            Edit(peer, stored.conversation_message_id, text, stored.keyboard, stored.attachments)
        )
        return 1

    def _messages_delete(self, params: dict[str, str]) -> list[JsonDict]:
        """A community deletes its own messages for everyone, within 24 hours of sending."""
        peer = _int(params, "peer_id")
        cmids = [int(item) for item in _split_list(params.get("cmids", ""))]
        if not cmids or params.get("delete_for_all") != "1":
            raise VkApiFault(100, "One of the parameters specified was missing or invalid")
        found = [self._messages.get((peer, cmid)) for cmid in cmids]
        if any(stored is None for stored in found):
            raise VkApiFault(100, "One of the parameters specified was missing or invalid: cmids")
        if any(time.time() - s.sent_at > DELETE_WINDOW_SECONDS for s in found if s is not None):
            raise VkApiFault(924, ERROR_MESSAGES[924])
        for cmid in cmids:
            del self._messages[(peer, cmid)]
            self.deleted.append((peer, cmid))
        return [{"peer_id": peer, "cmid": cmid, "response": 1} for cmid in cmids]

    def age_message(self, peer_id: int, conversation_message_id: int, seconds: float) -> None:
        """Make a sent message ``seconds`` older (to test time limits)."""
        self._messages[(peer_id, conversation_message_id)].sent_at -= seconds

    def _send_message_event_answer(self, params: dict[str, str]) -> int:
        event_id = params.get("event_id", "")
        if event_id not in self._event_ids:
            raise VkApiFault(
                100, "One of the parameters specified was missing or invalid: event_id"
            )
        event_data: JsonDict | None = None
        if params.get("event_data"):
            event_data = json.loads(params["event_data"])
            if not isinstance(event_data, dict) or event_data.get("type") not in {
                "show_snackbar",
                "open_link",
                "open_app",
            }:
                raise VkApiFault(
                    100, "One of the parameters specified was missing or invalid: event_data"
                )
            if (
                event_data["type"] == "show_snackbar"
                and not 0 < len(event_data.get("text", "")) <= 90
            ):
                raise VkApiFault(
                    100, "One of the parameters specified was missing or invalid: text"
                )
        self.event_answers.append(
            EventAnswer(event_id, _int(params, "user_id"), _int(params, "peer_id"), event_data)
        )
        return 1

    def _photos_upload_server(self, params: dict[str, str]) -> JsonDict:
        upload_id = secrets.token_hex(6)
        self._uploads[upload_id] = _PendingUpload("photo")
        return {
            "upload_url": f"{self.base_url}/upload/{upload_id}",
            "album_id": -3,
            "group_id": self.group_id,
        }

    def _photos_save(self, params: dict[str, str]) -> list[JsonDict]:
        upload = self._uploads.pop(params.get("hash", ""), None)
        if upload is None or not upload.ready or upload.kind != "photo":
            raise VkApiFault(100, "One of the parameters specified was missing or invalid: hash")
        photo_id = next(self._object_ids)
        owner = -self.group_id
        self._saved[f"photo{owner}_{photo_id}"] = upload.data
        return [
            {
                "id": photo_id,
                "owner_id": owner,
                "access_key": f"ak{photo_id}",
                "album_id": -3,
                "sizes": [
                    {"type": "x", "url": self.add_file(upload.data), "width": 604, "height": 604}
                ],
            }
        ]

    def _wall_upload_server(self, params: dict[str, str]) -> JsonDict:
        if _int(params, "group_id") != self.group_id:
            raise VkApiFault(
                100, "One of the parameters specified was missing or invalid: group_id"
            )
        return self._photos_upload_server(params)

    def _polls_create(self, params: dict[str, str]) -> JsonDict:
        question = params.get("question", "")
        try:
            answers = json.loads(params.get("add_answers", ""))
        except ValueError:
            answers = None
        if (
            not question
            or not isinstance(answers, list)
            or not 1 <= len(answers) <= 10
            or not all(isinstance(a, str) and a for a in answers)
        ):
            raise VkApiFault(100, "One of the parameters specified was missing or invalid")
        owner = _int(params, "owner_id")
        poll_id = next(self._object_ids)
        self.polls[f"poll{owner}_{poll_id}"] = (question, answers)
        return {"id": poll_id, "owner_id": owner, "question": question}

    def _wall_post(self, params: dict[str, str]) -> JsonDict:
        owner = _int(params, "owner_id")
        if owner != -self.group_id or params.get("from_group") != "1":
            raise VkApiFault(100, "One of the parameters specified was missing or invalid")
        message = params.get("message", "")
        attachments = _split_list(params.get("attachments", ""))
        if not message and not attachments:
            raise VkApiFault(100, "message or attachments is required")
        if len(message) > WALL_TEXT_LIMIT or len(attachments) > 10:
            raise VkApiFault(100, "One of the parameters specified was missing or invalid")
        for attachment in attachments:
            if attachment.startswith("poll"):
                if attachment not in self.polls:
                    raise VkApiFault(100, "One of the parameters specified was missing or invalid")
            else:
                self._check_attachments((attachment,))
        guid = params.get("guid")
        if guid and guid in self._wall_guids:
            return {"post_id": self._wall_guids[guid]}
        post_id = next(self._object_ids)
        if guid:
            self._wall_guids[guid] = post_id
        self.wall.append(WallPost(post_id, owner, message, attachments))
        return {"post_id": post_id}

    def _docs_upload_server(self, params: dict[str, str]) -> JsonDict:
        upload_id = secrets.token_hex(6)
        self._uploads[upload_id] = _PendingUpload("doc")
        return {"upload_url": f"{self.base_url}/upload/{upload_id}"}

    def _docs_save(self, params: dict[str, str]) -> JsonDict:
        upload = self._uploads.pop(params.get("file", ""), None)
        if upload is None or not upload.ready or upload.kind != "doc":
            raise VkApiFault(100, "One of the parameters specified was missing or invalid: file")
        doc_id = next(self._object_ids)
        owner = -self.group_id
        self._saved[f"doc{owner}_{doc_id}"] = upload.data
        title = params.get("title") or upload.file_name
        return {
            "type": "doc",
            "doc": {
                "id": doc_id,
                "owner_id": owner,
                "title": title,
                "size": len(upload.data),
                "ext": title.rsplit(".", 1)[-1] if "." in title else "",
                "url": self.add_file(upload.data),
                "type": 8,
            },
        }

    def _users_get(self, params: dict[str, str]) -> list[JsonDict]:
        result = []
        for raw in _split_list(params.get("user_ids", "")):
            user_id = int(raw)
            user = self._users.get(user_id, _User(f"User{user_id}", ""))
            result.append(
                {
                    "id": user_id,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "can_access_closed": True,
                    "is_closed": False,
                }
            )
        return result

    def _get_conversation_members(self, params: dict[str, str]) -> JsonDict:
        peer = _int(params, "peer_id")
        chat = self._chats.get(peer)
        if chat is None or not chat.community_is_admin:
            raise VkApiFault(NO_ACCESS, NO_ACCESS_MESSAGE)
        offset = int(params.get("offset") or 0)
        count = min(int(params.get("count") or 20), 200)
        community = ChatMember(-self.group_id, is_admin=True)
        everyone = [community, *chat.members.values()]
        page = everyone[offset : offset + count]
        owner = chat.owner_id()
        return {
            "count": len(everyone),
            "items": [member.to_json(invited_by=owner) for member in page],
            "profiles": self._users_get(
                {"user_ids": ",".join(str(m.member_id) for m in page if m.member_id > 0)}
            ),
            "groups": [{"id": self.group_id, "name": self.group_name, "type": "group"}],
        }

    # Validation

    def _check_forward(self, forward: JsonDict | None, peer: int) -> None:
        if forward is None:
            return
        source = int(forward.get("peer_id") or peer)
        ids = forward.get("conversation_message_ids") or []
        if forward.get("is_reply") and (source != peer or len(ids) != 1):
            raise VkApiFault(100, "One of the parameters specified was missing or invalid: forward")

    def _check_keyboard(self, raw: str | None) -> JsonDict | None:
        if raw is None:
            return None
        if not self.bot_features:
            raise VkApiFault(912, ERROR_MESSAGES[912])
        try:
            keyboard = json.loads(raw)
        except ValueError as error:
            raise VkApiFault(911, f"{ERROR_MESSAGES[911]}: not JSON") from error
        if not isinstance(keyboard, dict) or not isinstance(keyboard.get("buttons"), list):
            raise VkApiFault(911, f"{ERROR_MESSAGES[911]}: buttons is required")
        inline = bool(keyboard.get("inline", False))
        rows: list[Any] = keyboard["buttons"]
        max_rows, max_total = (6, 10) if inline else (10, 40)
        if len(rows) > max_rows:
            raise VkApiFault(911, f"{ERROR_MESSAGES[911]}: too many rows")
        total = 0
        for row in rows:
            if not isinstance(row, list) or len(row) > 5:
                raise VkApiFault(911, f"{ERROR_MESSAGES[911]}: too many buttons in a row")
            for button in row:
                self._check_button(button)
                total += 1
        if total > max_total:
            raise VkApiFault(911, f"{ERROR_MESSAGES[911]}: too many buttons")
        return keyboard

    def _check_button(self, button: Any) -> None:
        action = button.get("action") if isinstance(button, dict) else None
        if not isinstance(action, dict):
            raise VkApiFault(911, f"{ERROR_MESSAGES[911]}: action is required")
        kind = action.get("type")
        if kind not in {"text", "callback", "open_link", "location", "vkpay", "open_app"}:
            raise VkApiFault(911, f"{ERROR_MESSAGES[911]}: unknown action type")
        if kind in {"text", "callback", "open_link"}:
            label = action.get("label")
            if not isinstance(label, str) or not label or len(label) > MAX_LABEL:
                raise VkApiFault(911, f"{ERROR_MESSAGES[911]}: label is invalid")
        payload = action.get("payload")
        if payload is not None:
            if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD:
                raise VkApiFault(911, f"{ERROR_MESSAGES[911]}: payload is too long")
            try:
                json.loads(payload)
            except ValueError as error:
                raise VkApiFault(911, f"{ERROR_MESSAGES[911]}: payload is not JSON") from error
        color = button.get("color")
        if color is not None and color not in {"primary", "secondary", "negative", "positive"}:
            raise VkApiFault(911, f"{ERROR_MESSAGES[911]}: unknown color")

    def _check_attachments(self, attachments: tuple[str, ...]) -> None:
        for attachment in attachments:
            parts = attachment.split("_")
            if "_".join(parts[:2]) not in self._saved:
                raise VkApiFault(
                    100, "One of the parameters specified was missing or invalid: attachment"
                )

    # Long poll, uploads, files

    async def _long_poll(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        if request.method == "POST":
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        self.long_poll_checks += 1
        return await self._a_check(params)

    async def _a_check(self, params: dict[str, str]) -> web.Response:
        lp = self._lp
        if params.get("act") != "a_check":
            return web.json_response({"failed": 2})
        if lp.forced_failure:
            failed = lp.forced_failure.popleft()
            body: JsonDict = {"failed": failed}
            if failed == 1:
                body["ts"] = str(lp.ts)
            return web.json_response(body)
        if params.get("key") != lp.key:
            return web.json_response({"failed": 2 if params.get("key") in lp.expired_keys else 3})
        try:
            ts = int(params.get("ts", ""))
        except ValueError:
            return web.json_response({"failed": 1, "ts": str(lp.ts)})
        if ts < lp.history_start or ts > lp.ts:
            return web.json_response({"failed": 1, "ts": str(lp.ts)})
        wait = min(float(params.get("wait", "25") or 25), 90.0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        self.long_poll_waiting += 1
        try:
            while lp.ts <= ts and not self._closing:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                lp.changed.clear()
                try:
                    await asyncio.wait_for(lp.changed.wait(), remaining)
                except TimeoutError:
                    break
                if lp.forced_failure or params.get("key") != lp.key:
                    return await self._a_check(params)
        finally:
            self.long_poll_waiting -= 1
        updates = lp.updates[ts - lp.history_start :]
        return web.json_response({"ts": str(lp.ts), "updates": updates})

    async def _upload(self, request: web.Request) -> web.Response:
        upload_id = request.match_info["upload_id"]
        upload = self._uploads.get(upload_id)
        if upload is None:
            return web.json_response({"error": "upload url expired"})
        form = await request.post()
        field_name = "photo" if upload.kind == "photo" else "file"
        item = form.get(field_name)
        if not isinstance(item, web.FileField):
            return web.json_response({"error": f"{field_name} is required"})
        upload.data = item.file.read()
        upload.file_name = item.filename or ""
        upload.ready = True
        if upload.kind == "photo":
            return web.json_response(
                {"server": 1, "photo": json.dumps([{"upload": upload_id}]), "hash": upload_id}
            )
        return web.json_response({"file": upload_id})

    async def _file(self, request: web.Request) -> web.Response:
        item = self._files.get(request.match_info["file_id"])
        if item is None:
            return web.Response(status=404)
        data, content_type = item
        return web.Response(body=data, content_type=content_type)

    # Helpers

    def _quoted(self, peer_id: int, conversation_message_id: int) -> JsonDict:
        key = (peer_id, conversation_message_id)
        if key in self._user_messages:
            original = self._user_messages[key]
            quoted = {
                k: original[k]
                for k in ("date", "from_id", "text", "attachments", "conversation_message_id")
            }
        elif key in self._messages:
            stored = self._messages[key]
            quoted = {
                "date": int(time.time()),
                "from_id": -self.group_id,
                "text": stored.text,
                "attachments": [],
                "conversation_message_id": stored.conversation_message_id,
            }
        else:
            raise ValueError(f"no message {conversation_message_id} in peer {peer_id}")
        return quoted | {"id": 0, "peer_id": peer_id}

    def _next_cmid(self, peer_id: int) -> int:
        self._cmid[peer_id] = self._cmid.get(peer_id, 0) + 1
        return self._cmid[peer_id]

    def _wrap(self, kind: str, body: JsonDict) -> JsonDict:
        return {
            "type": kind,
            "object": body,
            "group_id": self.group_id,
            "event_id": secrets.token_hex(10),
            "v": API_VERSION,
        }


def _parameters_of(method: str) -> frozenset[str]:
    return METHOD_PARAMETERS[method] | COMMON_PARAMETERS


def _int(params: Mapping[str, str], name: str) -> int:
    try:
        return int(params[name])
    except (KeyError, ValueError) as error:
        raise VkApiFault(
            100, f"One of the parameters specified was missing or invalid: {name}"
        ) from error


def _forward(raw: str | None) -> JsonDict | None:
    if raw is None:
        return None
    try:
        forward = json.loads(raw)
    except ValueError as error:
        raise VkApiFault(
            100, "One of the parameters specified was missing or invalid: forward"
        ) from error
    if not isinstance(forward, dict):
        raise VkApiFault(100, "One of the parameters specified was missing or invalid: forward")
    return forward


def _split_list(raw: str) -> tuple[str, ...]:
    return tuple(item for item in (part.strip() for part in raw.split(",")) if item)
