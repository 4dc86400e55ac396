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
from typing import Any

import discord
from payloads import *  # noqa: F403 - ids and payload builders, re-exported for the tests
from payloads import (
    APP_ID,
    BOT_USER,
    GUILD_ID,
    HELP_CHANNEL_ID,
    STAFF_CHANNEL_ID,
    STUDENT,
    STUDENT_ROLE_ID,
    TIMESTAMP,
    guild_payload,
    member,
)
from recorder import Call, Recorder, _response, buttons, forbidden, server_error, text_of  # noqa: F401 - re-exported

from admissionsbot.adapters.discord.bot import AdmissionsBot
from admissionsbot.core.decide import DecisionSettings
from admissionsbot.core.models import Action

# -- questions the real matcher sorts a known way ---------------------------------------------
NO_MATCH = "what is the weather on mars today"  # no FAQ word at all: always escalated
HANDOFF_QUESTION = "How much is tuition?"  # a handoff entry's own question (min_score 60 in the test FAQ)
CLOSE_CALL = "internship"  # two internship entries score alike


def force_close_calls(service: Any) -> str:
    """Make the decision step ask "did you mean" whenever anything matches, whatever the matcher's tuning.

    The matcher is tuned elsewhere and its scores move; these tests are about the
    Discord side of a close call, so the thresholds are pinned instead.
    """
    service.answerer.settings = DecisionSettings(answer_threshold=100.0, clarify_threshold=5.0, margin=0.0)
    decision = service.answerer.ask(CLOSE_CALL)
    assert decision.action is Action.CLARIFY and len(decision.choices) >= 2, decision
    return CLOSE_CALL


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
        if bot.retry_task is not None and bot.leadership.leading():  # only the leading process retries
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

    def click_payload(self, message: dict[str, Any], custom_id: str, *, who: dict[str, Any] = STUDENT,
                      roles: tuple[int, ...] = (STUDENT_ROLE_ID,), dm: bool = False) -> dict[str, Any]:
        """The gateway payload of a click on a recorded message's button (not fed yet)."""
        assert any(b.get("custom_id") == custom_id for b in buttons(message)), f"no button {custom_id} on message"
        channel_id = int(message["channel_id"])
        data = {"custom_id": custom_id, "component_type": 2}
        return self._interaction(3, data, who=who, roles=roles if not dm else (), channel_id=channel_id,
                                 dm=dm or channel_id in self.rec.dm_channels, message=message)

    async def click(self, message: dict[str, Any], custom_id: str, *, who: dict[str, Any] = STUDENT,
                    roles: tuple[int, ...] = (STUDENT_ROLE_ID,), dm: bool = False) -> str:
        """Click a button of a recorded message (the message must carry that button)."""
        return await self.feed_interaction(self.click_payload(message, custom_id, who=who, roles=roles, dm=dm))

    async def click_all(self, payloads: list[dict[str, Any]]) -> list[str]:
        """Feed several clicks before any of them is handled: they race like simultaneous presses."""
        assert self.bot is not None
        for payload in payloads:
            self.bot._connection.parse_interaction_create(payload)
        await self.settle()
        return [p["token"] for p in payloads]

    async def ask_and_pass_on(self, question: str = NO_MATCH, **where: Any) -> Any:
        """/ask a question the bot cannot answer, then press "Ask the admissions team": the ticket filed."""
        before = {t.number for t in self.service.desk.tickets()}
        [offer] = self.messages_for(await self.slash("ask", {"question": question}, **where))
        assert [b["custom_id"] for b in buttons(offer)] == ["admissionsbot:offer"], offer
        await self.click(offer, "admissionsbot:offer", **{k: v for k, v in where.items() if k in ("who", "roles")})
        [ticket] = [t for t in self.service.desk.tickets() if t.number not in before]
        return ticket

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
                  roles: tuple[int, ...] = (STUDENT_ROLE_ID,), reply_to: dict[str, Any] | None = None,
                  settle: bool = True) -> dict[str, Any]:
        """A plain message from a user, in a guild channel or a DM; `reply_to`: a message it replies to.

        settle=False returns as soon as the message is fed (its handling may then be held mid-way).
        """
        assert self.bot is not None
        data: dict[str, Any] = {
            "id": str(self.rec.next_id()), "channel_id": str(channel_id), "author": who, "content": content,
            "timestamp": TIMESTAMP, "edited_timestamp": None, "tts": False, "mention_everyone": False,
            "mentions": mentions or [], "mention_roles": [], "attachments": [], "embeds": [], "pinned": False,
            "type": 0, "flags": 0, "components": [],
        }
        if webhook_id is not None:
            data["webhook_id"] = str(webhook_id)
        if reply_to is not None:  # as Discord sends a reply: type 19, the reference and the message itself
            data["type"] = 19
            data["message_reference"] = {"type": 0, "message_id": reply_to["id"], "channel_id": reply_to["channel_id"],
                                         "guild_id": None if dm else str(GUILD_ID)}
            data["referenced_message"] = reply_to
        if dm:
            self.rec.dm_channels.setdefault(channel_id, int(who["id"]))
        else:
            data["guild_id"] = str(GUILD_ID)
            data["member"] = {k: v for k, v in member(who, roles).items() if k != "user"}
        self.rec.messages[int(data["id"])] = data  # Discord knows it: a reply to it carries it back
        self.bot._connection.parse_message_create(data)
        if settle:
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
        ticket = self.service.desk.ticket(number)
        assert ticket.staff_post_ref, f"ticket #{number} was never posted"
        return self.rec.messages[int(ticket.staff_post_ref.split(":")[1])]


def _is_timer(task: asyncio.Task[Any]) -> bool:
    """discord.py's view/modal timeout tasks sleep for minutes, and background loops run for good
    (one may start after start(), when the bot takes the leader lease): not work in progress."""
    return ("timeout_task" in getattr(task.get_coro(), "__qualname__", "")
            or task.get_name().startswith("discord-ext-tasks:"))


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    return 3
