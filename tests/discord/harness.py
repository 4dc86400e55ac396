"""Drive the real bot with raw gateway payloads and record the HTTP it would send.

No Discord server and no dpytest: the bot is a real `AdmissionsBot`, entered
with `async with` (no login), given a bot user and a guild from dicts, and fed
`parse_interaction_create` / `parse_message_create` payloads. Both outgoing
HTTP paths are patched and recorded: `HTTPClient.request` (REST: channel
messages, DMs, edits) and `AsyncWebhookAdapter.request` (interaction
responses and followups). The recorder answers with realistic JSON and can be
told to fail a route. See /work/shared/DESIGN.md "Testing the Discord layer".
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
import discord.webhook.async_

from admissionsbot.adapters.discord.bot import AdmissionsBot
from admissionsbot.core.decide import DecisionSettings
from admissionsbot.core.models import Action

GUILD_ID = 1000
STAFF_CHANNEL_ID = 2000
HELP_CHANNEL_ID = 2001
GENERAL_CHANNEL_ID = 2002
STAFF_ROLE_ID = 3000
STUDENT_ROLE_ID = 3001
BOT_ID = 9000
APP_ID = 9000
STUDENT_ID = 5000
STAFF_ID = 6000
OTHER_ID = 5001
DM_CHANNEL_ID = 7000

TIMESTAMP = "2024-05-01T12:00:00+00:00"


def user(uid: int, name: str, bot: bool = False) -> dict[str, Any]:
    return {"id": str(uid), "username": name, "discriminator": "0", "global_name": name.title(), "avatar": None,
            "bot": bot, "public_flags": 0}


BOT_USER = user(BOT_ID, "admissionsbot", bot=True)
STUDENT = user(STUDENT_ID, "stu")
STAFF = user(STAFF_ID, "ada")
OTHER = user(OTHER_ID, "other")


def member(u: dict[str, Any], roles: tuple[int, ...] = ()) -> dict[str, Any]:
    return {"user": u, "roles": [str(r) for r in roles], "joined_at": TIMESTAMP, "deaf": False, "mute": False,
            "flags": 0, "permissions": str(discord.Permissions(view_channel=True, send_messages=True).value),
            "nick": None, "avatar": None, "pending": False}


def guild_payload() -> dict[str, Any]:
    def role(rid: int, name: str, position: int) -> dict[str, Any]:
        return {"id": str(rid), "name": name, "permissions": "0", "position": position, "color": 0,
                "hoist": False, "managed": False, "mentionable": False, "flags": 0}

    def channel(cid: int, name: str, position: int) -> dict[str, Any]:
        return {"id": str(cid), "type": 0, "name": name, "position": position, "permission_overwrites": [],
                "guild_id": str(GUILD_ID), "nsfw": False, "parent_id": None, "topic": None}

    return {
        "id": str(GUILD_ID), "name": "Music School", "icon": None, "owner_id": str(STAFF_ID), "features": [],
        "roles": [role(GUILD_ID, "@everyone", 0), role(STAFF_ROLE_ID, "Admissions", 2), role(STUDENT_ROLE_ID, "Student", 1)],
        "channels": [channel(STAFF_CHANNEL_ID, "admissions-staff", 0), channel(HELP_CHANNEL_ID, "ask-admissions", 1),
                     channel(GENERAL_CHANNEL_ID, "general", 2)],
        "members": [member(BOT_USER), member(STAFF, (STAFF_ROLE_ID,)), member(STUDENT, (STUDENT_ROLE_ID,))],
        "member_count": 3, "emojis": [], "stickers": [], "large": False, "unavailable": False,
        "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
        "mfa_level": 0, "premium_tier": 0, "system_channel_flags": 0, "preferred_locale": "en-US",
    }


# -- questions the real matcher sorts a known way ---------------------------------------------
NO_MATCH = "what is the weather on mars today"  # no FAQ word at all: always escalated
HANDOFF_QUESTION = "How much is tuition?"  # a handoff entry's own question (min_score 60 in the test FAQ)
CLOSE_CALL = "internship"  # two internship entries score alike


def force_close_calls(service: Any) -> str:
    """Make the decision step ask "did you mean" whenever anything matches, whatever the matcher's tuning.

    The matcher is tuned elsewhere and its scores move; these tests are about the
    Discord side of a close call, so the thresholds are pinned instead.
    """
    service.settings = DecisionSettings(answer_threshold=100.0, clarify_threshold=5.0, margin=0.0)
    decision = service.ask(CLOSE_CALL)
    assert decision.action is Action.CLARIFY and len(decision.choices) >= 2, decision
    return CLOSE_CALL


# -- recording HTTP -----------------------------------------------------------------------------
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


# -- the harness --------------------------------------------------------------------------------
class Harness:
    def __init__(self, service: Any, settings: Any, recorder: Recorder) -> None:
        self.service = service
        self.settings = settings
        self.rec = recorder
        self.bot: AdmissionsBot | None = None
        self._baseline: set[asyncio.Task[Any]] = set()

    async def start(self, **bot_kwargs: Any) -> AdmissionsBot:
        bot = AdmissionsBot(self.service, self.settings, application_id=APP_ID, **bot_kwargs)
        await bot.__aenter__()
        bot._connection.user = discord.ClientUser(state=bot._connection, data=BOT_USER)
        bot._connection._add_guild_from_data(guild_payload())
        await bot.setup_hook()
        self.bot = bot
        if bot.retry_task is not None:
            await asyncio.wait_for(bot.delivery.first_pass_done.wait(), 5)
        self._baseline = set(asyncio.all_tasks())
        return bot

    async def stop(self) -> None:
        if self.bot is not None:
            await self.settle()
            await self.bot.__aexit__(None, None, None)
            self.bot = None

    async def restart(self, **bot_kwargs: Any) -> AdmissionsBot:
        """A fresh bot on the same service/database, as after a process restart."""
        await self.stop()
        return await self.start(**bot_kwargs)

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until every task started since start() (interactions, listeners, followups) has finished."""
        me = asyncio.current_task()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        idle_rounds = 0
        while idle_rounds < 3:
            pending = [t for t in asyncio.all_tasks()
                       if t is not me and not t.done() and t not in self._baseline and not _is_timer(t)]
            if pending:
                idle_rounds = 0
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise AssertionError(f"tasks did not finish: {pending}")
                await asyncio.wait(pending, timeout=remaining)
            else:
                idle_rounds += 1
                await asyncio.sleep(0)

    # -- payloads --------------------------------------------------------------------------
    def _interaction(self, itype: int, data: dict[str, Any], *, who: dict[str, Any], roles: tuple[int, ...],
                     channel_id: int, dm: bool, message: dict[str, Any] | None) -> dict[str, Any]:
        iid = self.rec.next_id()
        token = f"tok{iid}"
        payload: dict[str, Any] = {
            "id": str(iid), "application_id": str(APP_ID), "type": itype, "token": token, "version": 1,
            "attachment_size_limit": 8 * 1024 * 1024, "data": data, "locale": "en-US", "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)}, "app_permissions": "0",
        }
        if dm:
            payload["user"] = who
            payload["channel"] = {"id": str(channel_id), "type": 1, "recipients": [who]}
            payload["context"] = 1
            self.rec.dm_channels.setdefault(channel_id, int(who["id"]))
        else:
            payload["guild_id"] = str(GUILD_ID)
            payload["guild_locale"] = "en-US"
            payload["member"] = member(who, roles)
            payload["channel"] = {"id": str(channel_id), "type": 0, "guild_id": str(GUILD_ID), "name": "c",
                                  "position": 0, "permission_overwrites": []}
            payload["context"] = 0
        payload["channel_id"] = str(channel_id)
        if message is not None:
            payload["message"] = message
        self.rec.token_channels[token] = channel_id
        return payload

    async def feed_interaction(self, payload: dict[str, Any]) -> str:
        assert self.bot is not None
        self.bot._connection.parse_interaction_create(payload)
        await self.settle()
        return payload["token"]

    async def slash(self, name: str, options: dict[str, Any] | None = None, *, sub: str | None = None,
                    who: dict[str, Any] = STUDENT, roles: tuple[int, ...] = (STUDENT_ROLE_ID,),
                    channel_id: int = HELP_CHANNEL_ID, dm: bool = False) -> str:
        """Run /name [sub] with options; returns the interaction token (to look up what was sent)."""
        opts = [{"name": k, "type": _option_type(v), "value": v} for k, v in (options or {}).items()]
        if sub is not None:
            opts = [{"name": sub, "type": 1, "options": opts}]
        data = {"id": str(self.rec.next_id()), "name": name, "type": 1, "options": opts}
        payload = self._interaction(2, data, who=who, roles=roles if not dm else (), channel_id=channel_id, dm=dm,
                                    message=None)
        return await self.feed_interaction(payload)

    async def click(self, message: dict[str, Any], custom_id: str, *, who: dict[str, Any] = STUDENT,
                    roles: tuple[int, ...] = (STUDENT_ROLE_ID,), dm: bool = False) -> str:
        """Click a button of a recorded message (the message must carry that button)."""
        assert any(b.get("custom_id") == custom_id for b in buttons(message)), f"no button {custom_id} on message"
        channel_id = int(message["channel_id"])
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(3, data, who=who, roles=roles if not dm else (), channel_id=channel_id,
                                    dm=dm or channel_id in self.rec.dm_channels, message=message)
        return await self.feed_interaction(payload)

    async def submit_modal(self, modal: dict[str, Any], values: dict[str, str], *, who: dict[str, Any] = STUDENT,
                           roles: tuple[int, ...] = (STUDENT_ROLE_ID,), channel_id: int = HELP_CHANNEL_ID,
                           dm: bool = False) -> str:
        """Submit a modal recorded from a type-9 response; `values` maps input label -> text."""
        rows = []
        for row in modal["components"]:
            for comp in row["components"]:
                label = comp["label"]
                rows.append({"type": 1, "components": [{"type": 4, "custom_id": comp["custom_id"],
                                                         "value": values.get(label, "")}]})
        data = {"custom_id": modal["custom_id"], "components": rows}
        payload = self._interaction(5, data, who=who, roles=roles if not dm else (), channel_id=channel_id, dm=dm,
                                    message=None)
        return await self.feed_interaction(payload)

    async def say(self, content: str, *, who: dict[str, Any] = STUDENT, channel_id: int = HELP_CHANNEL_ID,
                  dm: bool = False, mentions: list[dict[str, Any]] | None = None, webhook_id: int | None = None,
                  roles: tuple[int, ...] = (STUDENT_ROLE_ID,)) -> dict[str, Any]:
        """A plain message from a user, in a guild channel or a DM."""
        assert self.bot is not None
        data: dict[str, Any] = {
            "id": str(self.rec.next_id()), "channel_id": str(channel_id), "author": who, "content": content,
            "timestamp": TIMESTAMP, "edited_timestamp": None, "tts": False, "mention_everyone": False,
            "mentions": mentions or [], "mention_roles": [], "attachments": [], "embeds": [], "pinned": False,
            "type": 0, "flags": 0, "components": [],
        }
        if webhook_id is not None:
            data["webhook_id"] = str(webhook_id)
        if dm:
            self.rec.dm_channels.setdefault(channel_id, int(who["id"]))
        else:
            data["guild_id"] = str(GUILD_ID)
            data["member"] = {k: v for k, v in member(who, roles).items() if k != "user"}
        self.bot._connection.parse_message_create(data)
        await self.settle()
        return data

    # -- reading what happened -------------------------------------------------------------
    def messages_for(self, token: str) -> list[dict[str, Any]]:
        """Messages (as Discord holds them, ids included) created in answer to one interaction."""
        out = []
        for c in self.rec.sent():
            if c.api != "webhook" or f"/{token}" not in c.url or not isinstance(c.response, dict):
                continue
            if c.path.endswith("/callback"):
                if (c.json or {}).get("type") in (4, 7):
                    out.append(c.response["resource"]["message"])
            elif c.method == "POST":
                out.append(c.response)
        return out

    def replies_in(self, channel_id: int) -> list[dict[str, Any]]:
        """Messages the bot posted in a channel (REST), as Discord holds them."""
        return [c.response for c in self.rec.channel_posts(channel_id)]

    def modal_from(self, token: str) -> dict[str, Any]:
        [modal] = [c["data"] for c in self.rec.callbacks(token) if c["type"] == 9]
        return modal

    def staff_posts(self) -> list[Call]:
        return self.rec.channel_posts(STAFF_CHANNEL_ID)

    def staff_card(self, number: int) -> dict[str, Any]:
        """The latest version of a ticket's staff-channel message, as Discord would hold it."""
        ticket = self.service.ticket(number)
        assert ticket.staff_post_ref, f"ticket #{number} was never posted"
        return self.rec.messages[int(ticket.staff_post_ref.split(":")[1])]


def _is_timer(task: asyncio.Task[Any]) -> bool:
    """discord.py's view/modal timeout tasks sleep for minutes; they are not work in progress."""
    return "timeout_task" in getattr(task.get_coro(), "__qualname__", "")


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    return 3
