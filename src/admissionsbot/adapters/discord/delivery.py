"""Delivery that cannot be lost: staff-channel cards and staff replies to students.

The store is the source of truth. A ticket without a staff-post reference is
still to be posted; a reply without `delivered_at` is still to be delivered.
Failures (closed DMs, outages, missing permissions) are recorded through the
service and retried by the bot's background task and at start-up, with a
growing pause per reply so a student with closed DMs is not hammered. Staff
are told once when a reply could not be delivered, and once per channel when
the bot lacks a permission, never in a loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

import aiohttp
import discord

from ...core.desk import TicketDesk
from ...core.errors import AdmissionsError
from ...core.models import Reply, Ticket, TicketStatus
from .dynamic_items import staff_view
from .embeds import pack_embeds, reply_embeds, reply_waiting_text, staff_note_text, staff_ticket_embed
from .identity import PLATFORM

if TYPE_CHECKING:
    from .bot import AdmissionsBot

log = logging.getLogger(__name__)

SEND_ERRORS = (discord.HTTPException, aiohttp.ClientError, asyncio.TimeoutError, OSError)
PERMISSION_CODES = {50001: "Missing Access", 50013: "Missing Permissions"}
MAX_BACKOFF_SECONDS = 3600.0


def describe(exc: BaseException) -> str:
    """A short, staff-readable reason for a failed send."""
    if isinstance(exc, discord.Forbidden) and exc.code == 50007:
        return "the student's DMs are closed to the bot (Discord 403, code 50007)"
    if isinstance(exc, discord.HTTPException):
        return f"Discord error {exc.status} (code {exc.code}): {exc.text[:120]}".rstrip(": ")
    return f"network error: {type(exc).__name__}"


def parse_ref(ref: str | None) -> tuple[int, int] | None:
    """Staff-post reference 'channel_id:message_id' -> ints (None if absent or foreign)."""
    try:
        channel_id, message_id = (int(p) for p in (ref or "").split(":"))
    except ValueError:
        return None
    return channel_id, message_id


class Delivery:
    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot
        self._lock = asyncio.Lock()  # one reply delivery at a time: loop, /mytickets and staff never race
        self._delivered: set[int] = set()
        self._next_try: dict[int, float] = {}
        self._reported: set[tuple[int | None, int | None]] = set()
        self._noted_post_failure: set[int] = set()
        self.first_pass_done = asyncio.Event()

    @property
    def desk(self) -> TicketDesk:
        return self.bot.desk

    # -- staff channel ---------------------------------------------------------------------
    def _staff_channel(self) -> discord.abc.Messageable | None:
        channel_id = self.bot.settings.staff_channel_id
        if channel_id is None:
            return None
        return self.bot.get_channel(channel_id) or self.bot.get_partial_messageable(  # type: ignore[return-value]
            channel_id, guild_id=self.bot.settings.guild_id, type=discord.ChannelType.text
        )

    def _card(self, ticket: Ticket) -> discord.Embed:
        knowledge = self.bot.answerer.knowledge
        return staff_ticket_embed(ticket, lambda eid: knowledge.entry(eid).question if knowledge.has(eid) else None)

    async def post_ticket(self, ticket: Ticket) -> bool:
        """Post a ticket card to the staff channel; on failure it stays pending for the retry task."""
        channel = self._staff_channel()
        if channel is None:
            self._warn_once(("no-staff-channel", None), "staff_channel_id is not set: tickets wait in the queue "
                            "(see `admissionsbot queue list`) until it is.")
            return False
        try:
            message = await channel.send(embed=self._card(ticket), view=staff_view(ticket))
        except SEND_ERRORS as exc:
            await self._staff_post_failed(ticket, exc)
            return False
        await asyncio.to_thread(self.desk.staff_posted, ticket.number, f"{message.channel.id}:{message.id}")
        return True

    async def _staff_post_failed(self, ticket: Ticket, exc: BaseException) -> None:
        reason = describe(exc)
        code = exc.code if isinstance(exc, discord.HTTPException) else None
        self._warn_once((self.bot.settings.staff_channel_id, code),
                        f"Cannot post to the staff channel ({reason}); tickets stay pending and are retried.")
        if ticket.number not in self._noted_post_failure:
            self._noted_post_failure.add(ticket.number)
            await asyncio.to_thread(self.desk.note, ticket.number, PLATFORM, "staff_post_failed", reason)

    async def refresh(self, number: int) -> None:
        """Re-render the staff card from the store after any change (post it if it never was)."""
        ticket = await asyncio.to_thread(self.desk.ticket, number)
        ref = parse_ref(ticket.staff_post_ref)
        if ref is None:
            if ticket.status is not TicketStatus.CLOSED:
                await self.post_ticket(ticket)
            return
        channel = self.bot.get_partial_messageable(ref[0], guild_id=self.bot.settings.guild_id)
        try:
            await channel.get_partial_message(ref[1]).edit(
                embed=self._card(ticket), view=staff_view(ticket), allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.NotFound:
            await self.post_ticket(ticket)  # the card was deleted: post a fresh one
        except SEND_ERRORS as exc:
            log.warning("Could not update the staff card of ticket #%s: %s", number, describe(exc))

    async def tell_staff(self, text: str) -> bool:
        channel = self._staff_channel()
        if channel is None:
            log.warning("No staff channel for this note: %s", text)
            return False
        try:
            await channel.send(staff_note_text(text))
        except SEND_ERRORS as exc:
            log.warning("Could not post a note to the staff channel (%s): %s", describe(exc), text)
            return False
        return True

    async def report_missing_permission(self, channel_id: int | None, exc: discord.HTTPException) -> None:
        """Tell staff once per channel and error code, however often the send fails."""
        key = (channel_id, exc.code)
        if key in self._reported:
            return
        self._reported.add(key)
        what = PERMISSION_CODES.get(exc.code, f"code {exc.code}")
        log.warning("Missing permission in channel %s: %s", channel_id, what)
        if channel_id is not None and channel_id != self.bot.settings.staff_channel_id:
            await self.tell_staff(
                f"⚠️ I can't post in <#{channel_id}> ({what}). Please give the bot View Channel, Send Messages, "
                "Embed Links and Read Message History there. (I'll say this only once.)"
            )

    async def report_storage_error(self, exc: Exception) -> None:
        """A database failure: the log gets the details, the staff channel hears of it once per process."""
        log.warning("Ticket database error: %s", exc)
        key = ("storage", type(exc).__name__)
        if key in self._reported:
            return
        self._reported.add(key)  # type: ignore[arg-type]
        await self.tell_staff(f"⚠️ The ticket database failed: {exc} Students are told to try again in a minute; "
                              "the details are in the bot's log. (I'll say this only once.)")

    def _warn_once(self, key: tuple[object, object], text: str) -> None:
        marker = ("log", key)
        if marker not in self._reported:
            self._reported.add(marker)  # type: ignore[arg-type]
            log.warning(text)

    # -- replies to students ---------------------------------------------------------------
    async def deliver_reply(self, ticket: Ticket, reply: Reply) -> bool:
        """DM a staff reply to the student; record success or failure in the store."""
        if ticket.asker.platform != PLATFORM:
            return False
        async with self._lock:
            if reply.id in self._delivered:
                return True
            try:
                dm = await self.bot.create_dm(discord.Object(int(ticket.asker.user_id)))
                for embeds in pack_embeds(reply_embeds(ticket, reply)):
                    await dm.send(embeds=embeds)
            except SEND_ERRORS as exc:
                reason = describe(exc)
                await asyncio.to_thread(self.desk.delivery_failed, reply, reason)
                self._back_off(reply)
            else:
                await self._mark_delivered(reply)
                reason = ""
        if reason and reply.delivery_attempts > 0:
            return False  # a retry that failed again: staff already know, the card already says so
        if reason:  # the first failure only: tell people once
            await self.tell_staff(
                f"⚠️ The reply to ticket #{ticket.number} could not be delivered: {reason}. It stays pending and "
                "is retried automatically; the student can also read it with /mytickets."
            )
            await self._notice_where_asked(ticket)
        await self.refresh(ticket.number)
        return not reason

    async def mark_shown(self, replies: list[Reply]) -> None:
        """The student read these in /mytickets: they count as delivered."""
        async with self._lock:
            for reply in replies:
                if reply.id not in self._delivered:
                    await self._mark_delivered(reply)

    async def _mark_delivered(self, reply: Reply) -> None:
        await asyncio.to_thread(self.desk.mark_delivered, reply)
        self._delivered.add(reply.id)
        self._next_try.pop(reply.id, None)

    def _back_off(self, reply: Reply) -> None:
        interval = max(self.bot.settings.retry_interval_seconds, 0.01)
        delay = min(interval * 2 ** min(reply.delivery_attempts, 12), max(interval, MAX_BACKOFF_SECONDS))
        self._next_try[reply.id] = time.monotonic() + delay

    async def _notice_where_asked(self, ticket: Ticket) -> None:
        """A content-free pointer to /mytickets in the channel where the student asked."""
        asker = ticket.asker
        if asker.private or not asker.location.isdigit():
            return
        channel_id = int(asker.location)
        if channel_id == self.bot.settings.staff_channel_id:
            return
        channel = self.bot.get_partial_messageable(channel_id, guild_id=self.bot.settings.guild_id)
        try:
            await channel.send(reply_waiting_text(asker.display_name))
        except discord.Forbidden as exc:
            await self.report_missing_permission(channel_id, exc)
        except SEND_ERRORS as exc:
            log.warning("Could not post the reply-waiting notice in %s: %s", channel_id, describe(exc))

    # -- retry -----------------------------------------------------------------------------
    async def retry_pending(self) -> None:
        """One pass over everything pending; never raises (the loop must keep running)."""
        try:
            await self._retry_staff_posts()
            await self._retry_replies()
        except AdmissionsError as exc:
            log.warning("Retry pass skipped: %s", exc)
        except Exception:
            log.exception("Retry pass failed")
        finally:
            self.first_pass_done.set()

    async def _retry_staff_posts(self) -> None:
        for ticket in await asyncio.to_thread(self.desk.pending_staff_posts):
            if not await self.post_ticket(ticket):
                break  # the channel is failing: the rest would too; try again next pass

    async def _retry_replies(self) -> None:
        now = time.monotonic()
        pending = await asyncio.to_thread(self.desk.undelivered_replies, limit=200, platform=PLATFORM)
        for ticket, reply in pending:
            if self._next_try.get(reply.id, 0.0) > now:
                continue
            await self.deliver_reply(ticket, reply)
