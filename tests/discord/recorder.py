"""Records the HTTP the bot would send, answers with realistic JSON, fails routes on request.

Both paths are covered: `HTTPClient.request` (REST) and `AsyncWebhookAdapter.request`
(interaction callbacks, followups, edits of the original response).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import discord
import discord.http
from payloads import APP_ID, BOT_USER, DM_CHANNEL_ID, GUILD_ID, STAFF, TIMESTAMP, user


@dataclass
class Call:
    api: str  # "rest" or "webhook"
    method: str
    path: str  # the route template, e.g. /channels/{channel_id}/messages
    url: str
    json: dict[str, Any] | None
    response: Any = None
    channel_id: int | None = None
    failed: bool = False

    @property
    def is_message(self) -> bool:
        """Anything that carries message content to Discord."""
        return self.json is not None and any(k in self.json for k in ("content", "embeds", "components", "data"))


@dataclass
class Failure:
    match: Callable[[Call], bool]
    make: Callable[[], Exception]
    times: int | None = None  # None: until cleared


@dataclass
class Hold:
    """Holds the next matching call until released, as when Discord answers late (the call is recorded)."""

    match: Callable[[Call], bool]
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    used: bool = False

    def release(self) -> None:
        self.released.set()


def _response(status: int) -> SimpleNamespace:
    return SimpleNamespace(status=status, reason="error", headers={})


def forbidden(code: int = 50007, message: str = "Cannot send messages to this user") -> discord.Forbidden:
    return discord.Forbidden(_response(403), {"code": code, "message": message})


def server_error() -> discord.HTTPException:
    return discord.DiscordServerError(_response(500), {"code": 0, "message": "500: Internal Server Error"})


@dataclass
class Recorder:
    calls: list[Call] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    token_channels: dict[str, int] = field(default_factory=dict)
    dm_channels: dict[int, int] = field(default_factory=dict)  # dm channel id -> user id
    on_call: list[Callable[[Call], None]] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(800_000))

    def next_id(self) -> int:
        return next(self._ids)

    def fail(self, match: Callable[[Call], bool], make: Callable[[], Exception], times: int | None = None) -> Failure:
        failure = Failure(match, make, times)
        self.failures.append(failure)
        return failure

    def hold(self, match: Callable[[Call], bool]) -> Hold:
        """The next call that matches waits (after being recorded) until `.release()`."""
        held = Hold(match)
        self.holds.append(held)
        return held

    async def _wait_if_held(self, call: Call) -> None:
        for held in list(self.holds):
            if not held.used and held.match(call):
                held.used = True
                held.reached.set()
                await held.released.wait()

    def _check_failure(self, call: Call) -> None:
        for failure in list(self.failures):
            if failure.match(call):
                if failure.times is not None:
                    failure.times -= 1
                    if failure.times <= 0:
                        self.failures.remove(failure)
                call.failed = True
                raise failure.make()

    def message(self, channel_id: int, body: dict[str, Any], *, message_id: int | None = None) -> dict[str, Any]:
        mid = message_id or self.next_id()
        data = {
            "id": str(mid), "channel_id": str(channel_id), "author": BOT_USER, "content": body.get("content") or "",
            "timestamp": TIMESTAMP, "edited_timestamp": None, "tts": False, "mention_everyone": False,
            "mentions": [], "mention_roles": [], "attachments": [], "embeds": body.get("embeds") or [],
            "components": body.get("components") or [], "pinned": False, "type": 0, "flags": body.get("flags") or 0,
        }
        if channel_id not in self.dm_channels:
            data["guild_id"] = str(GUILD_ID)
        reference = body.get("message_reference")
        if reference:  # as Discord returns a reply: type 19 with the message it answers
            data["type"] = 19
            data["message_reference"] = {"type": 0, "message_id": str(reference["message_id"]),
                                         "channel_id": str(channel_id)}
            data["referenced_message"] = self.messages.get(int(reference["message_id"]))
        self.messages[mid] = data
        return data

    def _edit(self, message_id: int, channel_id: int, body: dict[str, Any]) -> dict[str, Any]:
        data = dict(self.messages.get(message_id) or self.message(channel_id, {}, message_id=message_id))
        for key in ("content", "embeds", "components", "flags"):
            if key in body and body[key] is not None:
                data[key] = body[key]
        data["edited_timestamp"] = TIMESTAMP
        self.messages[message_id] = data
        return data

    # -- REST --------------------------------------------------------------------------------
    async def rest(self, route: discord.http.Route, *, files: Any = None, form: Any = None, **kwargs: Any) -> Any:
        body = kwargs.get("json")
        if body is None and form:
            body = next((json.loads(f["value"]) for f in form if f.get("name") == "payload_json"), None)
        call = Call("rest", route.method, route.path, route.url, body, channel_id=route.channel_id)
        self.calls.append(call)
        for hook in self.on_call:
            hook(call)
        await self._wait_if_held(call)
        self._check_failure(call)
        call.response = self._rest_response(route, body or {})
        return call.response

    def _rest_response(self, route: discord.http.Route, body: dict[str, Any]) -> Any:
        key = (route.method, route.path)
        if key == ("POST", "/users/@me/channels"):
            uid = int(body["recipient_id"])
            cid = next((c for c, u in self.dm_channels.items() if u == uid), None) or DM_CHANNEL_ID + uid
            self.dm_channels[cid] = uid
            return {"id": str(cid), "type": 1, "last_message_id": None, "recipients": [user(uid, f"user{uid}")]}
        if key == ("POST", "/channels/{channel_id}/messages"):
            return self.message(int(route.channel_id), body)
        if key == ("PATCH", "/channels/{channel_id}/messages/{message_id}"):
            message_id = int(route.url.rsplit("/", 1)[1])
            return self._edit(message_id, int(route.channel_id), body)
        if key == ("GET", "/users/@me"):
            return BOT_USER
        if key == ("GET", "/oauth2/applications/@me"):
            return {"id": str(APP_ID), "name": "admissionsbot", "description": "", "icon": None, "bot_public": False,
                    "bot_require_code_grant": False, "owner": STAFF, "verify_key": "0" * 64, "flags": 0}
        if route.method == "PUT" and route.path.startswith("/applications/"):
            return [dict(c, id=str(self.next_id()), application_id=str(APP_ID), version="1") for c in body or []]
        return {}

    # -- interaction webhooks ----------------------------------------------------------------
    async def webhook(self, route: discord.http.Route, session: Any = None, *, payload: Any = None,
                      multipart: Any = None, params: Any = None, **kwargs: Any) -> Any:
        body = payload
        if body is None and multipart:
            body = next((json.loads(p["value"]) for p in multipart if p.get("name") == "payload_json"), None)
        token = route.webhook_token or ""
        call = Call("webhook", route.method, route.path, route.url, body, channel_id=self.token_channels.get(token))
        self.calls.append(call)
        for hook in self.on_call:
            hook(call)
        self._check_failure(call)
        call.response = self._webhook_response(route, body or {}, call.channel_id or 0)
        return call.response

    def _webhook_response(self, route: discord.http.Route, body: dict[str, Any], channel_id: int) -> Any:
        if route.path.endswith("/callback"):
            rtype = body.get("type")
            data = body.get("data") or {}
            interaction = {"id": str(route.webhook_id), "type": 2,
                           "response_message_loading": rtype == 5,
                           "response_message_ephemeral": bool((data.get("flags") or 0) & 64)}
            out: dict[str, Any] = {"interaction": interaction}
            if rtype in (4, 5, 7):
                message = self.message(channel_id, data)
                interaction["response_message_id"] = message["id"]
                out["resource"] = {"type": rtype, "message": message}
            return out
        if route.method == "POST":  # followup
            return self.message(channel_id, body)
        if route.method == "PATCH":  # edit original / followup
            return self.message(channel_id, body)
        return None

    # -- reading the record ------------------------------------------------------------------
    def sent(self) -> list[Call]:
        return [c for c in self.calls if not c.failed]

    def callbacks(self, token_or_iid: str | int | None = None) -> list[dict[str, Any]]:
        return [c.json for c in self.sent() if c.path.endswith("/callback")
                and (token_or_iid is None or f"/{token_or_iid}/" in c.url)]

    def channel_posts(self, channel_id: int) -> list[Call]:
        return [c for c in self.sent() if c.api == "rest" and c.method == "POST"
                and c.path == "/channels/{channel_id}/messages" and c.channel_id == channel_id]

    def edits(self, channel_id: int | None = None) -> list[Call]:
        return [c for c in self.sent() if c.api == "rest" and c.method == "PATCH"
                and (channel_id is None or c.channel_id == channel_id)]

    def dms(self) -> list[Call]:
        return [c for c in self.sent() if c.api == "rest" and c.method == "POST"
                and c.path == "/channels/{channel_id}/messages" and c.channel_id in self.dm_channels]

    def followups(self, token: str) -> list[dict[str, Any]]:
        return [c.json for c in self.sent() if c.api == "webhook" and f"/{token}" in c.url
                and not c.path.endswith("/callback")]

    def replies_to(self, token: str) -> list[dict[str, Any]]:
        """Every message body the user saw for one interaction: callback data, then followups."""
        out = []
        for c in self.sent():
            if c.api != "webhook" or f"/{token}" not in c.url:
                continue
            if c.path.endswith("/callback"):
                if c.json and c.json.get("type") in (4, 7):
                    out.append(c.json["data"])
            else:
                out.append(c.json)
        return out


def text_of(body: dict[str, Any]) -> str:
    """All visible text of a message body: content, embed titles, descriptions, fields, footers."""
    parts = [body.get("content") or ""]
    for e in body.get("embeds") or []:
        parts += [e.get("title", ""), e.get("description", ""), (e.get("footer") or {}).get("text", "")]
        parts += [f"{f['name']} {f['value']}" for f in e.get("fields", [])]
    return "\n".join(p for p in parts if p)


def buttons(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in body.get("components") or [] for c in row.get("components", []) if c.get("type") == 2]
