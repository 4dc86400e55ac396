"""A fake Discord on 127.0.0.1 for bot processes: the REST calls the bot makes and a minimal gateway.

It plays Discord's side for real `admissionsbot run` processes (started through
bot_process.py, which points discord.py here): log in, the gateway (HELLO,
IDENTIFY -> READY with the school's guild, heartbeats, then events the test
dispatches to the connected session), DM channels, messages (honouring `nonce`
with `enforce_nonce` the way Discord does: a repeated nonce returns the message
already created), edits, interaction callbacks and followups. Every call is
recorded. `hold()` makes the next matching message post be created and then
never answered, as when a process dies while Discord is answering.

Loopback only; it runs its own event loop in a daemon thread.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "discord"))
from payloads import APP_ID, BOT_USER, DM_CHANNEL_ID, STAFF, TIMESTAMP, guild_payload, user  # noqa: E402

API = "/api/v10"


@dataclass
class Call:
    method: str
    path: str
    json: Any
    at: float
    created: dict[str, Any] | None = None  # the message this call created (None: none, or returned an old one)
    status: int = 0


@dataclass
class Session:
    """One gateway connection that identified."""

    number: int
    ws: web.WebSocketResponse
    identified_at: float
    seq: itertools.count = field(default_factory=lambda: itertools.count(2))

    @property
    def open(self) -> bool:
        return not self.ws.closed


@dataclass
class Hold:
    match: Callable[[str, dict[str, Any]], bool]  # (path, body) -> hold it?
    reached: threading.Event = field(default_factory=threading.Event)
    used: bool = False


def dm_channel_of(user_id: int) -> int:
    return DM_CHANNEL_ID + user_id


class FakeDiscord:
    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency  # seconds before each REST answer, as Discord's round trip (benchmarks)
        self.calls: list[Call] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.created: list[dict[str, Any]] = []  # every message created, in order
        self.sessions: list[Session] = []
        self.holds: list[Hold] = []
        self._by_nonce: dict[str, int] = {}
        self._ids = itertools.count(10**15)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-discord", daemon=True)
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self.url = ""

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> str:
        self._thread.start()
        self.url = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self.url

    async def _start(self) -> str:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = site._server.sockets[0].getsockname()[:2]  # type: ignore[union-attr]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        async def stop() -> None:
            self._stopping.set()
            for session in self.sessions:
                await session.ws.close()
            if self._runner is not None:
                await self._runner.cleanup()

        try:
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    # -- what the test does ----------------------------------------------------------------------
    def hold(self, match: Callable[[str, dict[str, Any]], bool]) -> Hold:
        held = Hold(match)
        with self._lock:
            self.holds.append(held)
        return held

    def live_sessions(self) -> list[Session]:
        return [s for s in self.sessions if s.open]

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event to the one connected session (there must be exactly one)."""
        [session] = self.live_sessions()

        async def send() -> None:
            await session.ws.send_str(json.dumps({"op": 0, "t": event, "s": next(session.seq), "d": data}))

        asyncio.run_coroutine_threadsafe(send(), self._loop).result(10)

    def next_id(self) -> int:
        return next(self._ids)

    def created_in(self, channel_id: int) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.created if int(m["channel_id"]) == channel_id]

    def posts(self, predicate: Callable[[Call], bool] = lambda c: True) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == "POST" and predicate(c)]

    # -- the gateway ---------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoclose=True)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(msg.data)
            if payload.get("op") == 1:  # heartbeat
                await ws.send_str(json.dumps({"op": 11}))
            elif payload.get("op") == 2:  # identify
                with self._lock:
                    session = Session(len(self.sessions) + 1, ws, time.monotonic())
                    self.sessions.append(session)
                ready = {"v": 10, "user": BOT_USER, "guilds": [guild_payload()], "session_id": f"s{session.number}",
                         "resume_gateway_url": self.url.replace("http", "ws") + "/gateway",
                         "application": {"id": str(APP_ID), "flags": 0}, "private_channels": [],
                         "relationships": []}
                await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": 1, "d": ready}))
            elif payload.get("op") == 6:  # resume: not kept, start over
                await ws.send_str(json.dumps({"op": 9, "d": False}))
        return ws

    # -- REST ----------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
            else:
                form = await request.post()
                raw = form.get("payload_json")
                body = json.loads(str(raw)) if raw is not None else None
        if self.latency:
            await asyncio.sleep(self.latency)
        call = Call(request.method, path, body, time.monotonic())
        with self._lock:
            self.calls.append(call)
        status, response = self._answer(request.method, path, body or {}, call)
        call.status = status
        for held in list(self.holds):
            if not held.used and request.method == "POST" and held.match(path, body or {}):
                held.used = True
                held.reached.set()
                await self._stopping.wait()  # created, never answered: the caller dies waiting
        # exactly "application/json", as Discord sends it: discord.py parses nothing else as JSON
        return web.Response(body=json.dumps(response).encode(), status=status,
                            headers={"Content-Type": "application/json"})

    def _answer(self, method: str, path: str, body: dict[str, Any], call: Call) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if (method, path) == ("GET", "/users/@me"):
            return 200, BOT_USER
        if (method, path) == ("GET", "/oauth2/applications/@me"):
            return 200, {"id": str(APP_ID), "name": "admissionsbot", "description": "", "icon": None,
                         "bot_public": False, "bot_require_code_grant": False, "owner": STAFF,
                         "verify_key": "0" * 64, "flags": 0}
        if (method, path) == ("POST", "/users/@me/channels"):
            uid = int(body["recipient_id"])
            return 200, {"id": str(dm_channel_of(uid)), "type": 1, "last_message_id": None,
                         "recipients": [user(uid, f"user{uid}")]}
        if method == "POST" and parts[0] == "channels" and parts[2:] == ["messages"]:
            return 200, self._create(int(parts[1]), body, call)
        if method == "PATCH" and parts[0] == "channels" and parts[2] == "messages":
            return 200, self._edit(int(parts[3]), body)
        if method == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
            rtype, data = body.get("type"), body.get("data") or {}
            interaction: dict[str, Any] = {"id": parts[1], "type": 2, "response_message_loading": rtype == 5,
                                           "response_message_ephemeral": bool((data.get("flags") or 0) & 64)}
            out: dict[str, Any] = {"interaction": interaction}
            if rtype in (4, 5, 7):
                message = self._message(0, data)
                interaction["response_message_id"] = message["id"]
                out["resource"] = {"type": rtype, "message": message}
            return 200, out
        if parts[0] == "webhooks" and method in ("POST", "PATCH"):
            return 200, self._message(0, body)
        return 404, {"code": 0, "message": f"the fake Discord does not know {method} {path}"}

    def _message(self, channel_id: int, body: dict[str, Any]) -> dict[str, Any]:
        mid = self.next_id()
        return {"id": str(mid), "channel_id": str(channel_id), "author": BOT_USER, "content": body.get("content") or "",
                "timestamp": TIMESTAMP, "edited_timestamp": None, "tts": False, "mention_everyone": False,
                "mentions": [], "mention_roles": [], "attachments": [], "embeds": body.get("embeds") or [],
                "components": body.get("components") or [], "pinned": False, "type": 0,
                "flags": body.get("flags") or 0, "nonce": body.get("nonce")}

    def _create(self, channel_id: int, body: dict[str, Any], call: Call) -> dict[str, Any]:
        """Discord's rule: with enforce_nonce, a nonce seen before returns the message it created."""
        nonce = body.get("nonce")
        with self._lock:
            if nonce is not None and body.get("enforce_nonce") and str(nonce) in self._by_nonce:
                return self.messages[self._by_nonce[str(nonce)]]
            message = self._message(channel_id, body)
            self.messages[int(message["id"])] = message
            self.created.append(message)
            call.created = message
            if nonce is not None:
                self._by_nonce[str(nonce)] = int(message["id"])
            return message

    def _edit(self, message_id: int, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            message = dict(self.messages.get(message_id) or self._message(0, {}))
            for key in ("content", "embeds", "components"):
                if body.get(key) is not None:
                    message[key] = body[key]
            message["edited_timestamp"] = TIMESTAMP
            self.messages[message_id] = message
            return message
