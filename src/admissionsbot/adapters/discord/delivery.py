"""Delivery that cannot be lost, done once: staff-channel cards and staff replies to students.

The store is the source of truth. A ticket without a staff-post reference is
still to be posted; a reply without `delivered_at` is still to be delivered.
Failures (closed DMs, outages, missing permissions) are recorded through the
desk and retried by the leading process's background loop and at start-up,
with a growing pause per reply (kept in the store, so every process honours
it) so a student with closed DMs is not hammered.

Done once: every send first takes the card's or reply's lease in the store
(storage/leases.py). Of the tasks of this process (a staff action, /mytickets,
the retry pass) and of the processes sharing the database, only the taker
sends; the others skip it, and a card posted while a claim wanted to refresh it
is brought up to date by its poster. A process that dies mid-send leaves its
lease to lapse; whoever retries then sends with the same Discord nonce (derived
from the ticket number or the reply id, with enforce_nonce), so Discord returns
the message it already created instead of a second one. Discord keeps nonces
for a few minutes: a send resumed later than that can still be doubled.

Staff hear once when a reply could not be delivered (the store's attempt count
decides which failure was the first), and once per process per channel when
the bot lacks a permission, never in a loop.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from typing import TYPE_CHECKING

import aiohttp
import discord

from ...core.desk import TicketDesk
from ...core.errors import AdmissionsError
from ...core.models import Reply, Ticket, TicketStatus
from .dynamic_items import staff_view
from .embeds import pack_embeds, reply_embeds, reply_waiting_text, staff_note_text, staff_ticket_embed
from .identity import PLATFORM
from .queue_items import followup_view

if TYPE_CHECKING:
    from .bot import AdmissionsBot

log = logging.getLogger(__name__)

SEND_ERRORS = (discord.HTTPException, aiohttp.ClientError, asyncio.TimeoutError, OSError)
PERMISSION_CODES = {50001: "Missing Access", 50013: "Missing Permissions"}
MAX_BACKOFF_SECONDS = 3600.0
#: Discord's longest message nonce.
NONCE_CHARS = 25
#: Cards or replies leased per store call in a retry pass, and calls per pass (the rest waits a pass).
BATCH, BATCHES_PER_PASS = 5, 40


class Sent(enum.Enum):
    """What deliver_reply did."""

    DELIVERED = "delivered"
    FAILED = "failed"  # recorded, backing off, retried later
    ELSEWHERE = "elsewhere"  # another task or process holds it (or it was delivered or is backing off)
    NOT_DISCORD = "not discord"  # the student asked on another front end


def card_nonce(number: int, replacing: int | None = None) -> str:
    """The nonce of a ticket's card: the same for every try, another for a repost after a deletion."""
    nonce = f"t{number}" if replacing is None else f"t{number}.{replacing:x}"
    return nonce[:NONCE_CHARS]


def reply_nonce(reply_id: int, part: int) -> str:
    """The nonce of one message of a reply (a long reply takes several)."""
    return f"r{reply_id}.{part}"[:NONCE_CHARS]


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
        self._reported: set[tuple[object, object]] = set()
        self._noted_post_failure: set[int] = set()
        self.first_pass_done = asyncio.Event()

    @property
    def desk(self) -> TicketDesk:
        return self.bot.desk

    @property
    def owner(self) -> str:
        """This process's name on the leases it takes."""
        return self.bot.leadership.owner

    @property
    def lease_seconds(self) -> float:
        """How long a send may take before another process may redo it (with the same nonce)."""
        return self.bot.leadership.lease_seconds

    # -- staff channel ---------------------------------------------------------------------
    def _staff_channel(self) -> discord.abc.Messageable | None:
        channel_id = self.bot.settings.staff_channel_id
        if channel_id is None:
            return None
        return self.bot.get_channel(channel_id) or self.bot.get_partial_messageable(  # type: ignore[return-value]
            channel_id, guild_id=self.bot.settings.guild_id, type=discord.ChannelType.text
        )

    def staff_channel(self) -> discord.abc.Messageable | None:
        """The staff channel (None when staff_channel_id is not set), for notes other modules post."""
        return self._staff_channel()

    def _card_channel(self) -> discord.abc.Messageable | None:
        """The staff channel, or None (said once in the log): the cards then wait in the queue."""
        channel = self._staff_channel()
        if channel is None:
            self._warn_once(("no-staff-channel", None), "staff_channel_id is not set: tickets wait in the queue "
                            "(see `admissionsbot queue list`) until it is.")
        return channel

    def _card(self, ticket: Ticket) -> discord.Embed:
        knowledge = self.bot.answerer.knowledge
        return staff_ticket_embed(ticket, lambda eid: knowledge.entry(eid).question if knowledge.has(eid) else None)

    async def post_ticket(self, ticket: Ticket, *, replacing: str | None = None) -> bool:
        """Post a ticket's card unless it is posted or being posted; a failure leaves it for the retry pass.

        `replacing`: the reference of a card that was deleted (None: never posted).
        """
        if self._card_channel() is None:
            return False
        taken = await asyncio.to_thread(self.desk.take_staff_post, ticket.number, self.owner, self.lease_seconds,
                                        replacing)
        if taken is None:
            return False  # posted meanwhile, or another task or process is posting it
        return await self._send_card(taken, replacing)

    async def _send_card(self, ticket: Ticket, replacing: str | None = None) -> bool:
        """Post a card whose lease this process holds; record where it went, or give the lease back."""
        channel = self._card_channel()
        if channel is None:
            await asyncio.to_thread(self.desk.release_staff_post, ticket.number, self.owner)
            return False
        old = parse_ref(replacing)
        try:
            message = await channel.send(embed=self._card(ticket), view=staff_view(ticket),
                                         nonce=card_nonce(ticket.number, old[1] if old else None))
        except SEND_ERRORS as exc:
            await asyncio.to_thread(self.desk.release_staff_post, ticket.number, self.owner)
            await self._staff_post_failed(ticket, exc)
            return False
        ref = f"{message.channel.id}:{message.id}"
        await asyncio.to_thread(self.desk.staff_posted, ticket.number, ref)
        now = await asyncio.to_thread(self.desk.ticket, ticket.number)
        if self._card(now).to_dict() != self._card(ticket).to_dict():
            await self._edit(now, ref)  # claimed, answered or closed while in flight: no one else could edit it
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
        if parse_ref(ticket.staff_post_ref) is None:
            if ticket.status is not TicketStatus.CLOSED:
                await self.post_ticket(ticket, replacing=ticket.staff_post_ref)  # being posted: its poster catches up
            return
        await self._edit(ticket, ticket.staff_post_ref)

    async def _edit(self, ticket: Ticket, ref_text: str | None) -> None:
        ref = parse_ref(ref_text)
        if ref is None:
            return
        channel = self.bot.get_partial_messageable(ref[0], guild_id=self.bot.settings.guild_id)
        try:
            await channel.get_partial_message(ref[1]).edit(
                embed=self._card(ticket), view=staff_view(ticket), allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.NotFound:
            await self.post_ticket(ticket, replacing=ref_text)  # the card was deleted: post a fresh one, once
        except SEND_ERRORS as exc:
            log.warning("Could not update the staff card of ticket #%s: %s", ticket.number, describe(exc))

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
        self._reported.add(key)
        await self.tell_staff(f"⚠️ The ticket database failed: {exc} Students are told to try again in a minute; "
                              "the details are in the bot's log. (I'll say this only once.)")

    def _warn_once(self, key: tuple[object, object], text: str) -> None:
        marker = ("log", key)
        if marker not in self._reported:
            self._reported.add(marker)
            log.warning(text)

    # -- replies to students ---------------------------------------------------------------
    async def deliver_reply(self, ticket: Ticket, reply: Reply) -> Sent:
        """DM a staff reply to the student unless another task or process has it; record the outcome."""
        if ticket.asker.platform != PLATFORM:
            return Sent.NOT_DISCORD
        taken = await asyncio.to_thread(self.desk.take_reply, reply, self.owner, self.lease_seconds)
        if taken is None:
            return Sent.ELSEWHERE
        return await self._send_reply(*taken)

    async def _send_reply(self, ticket: Ticket, reply: Reply) -> Sent:
        """DM a reply whose lease this process holds (`reply` as the store had it when taken)."""
        try:
            dm = await self.bot.create_dm(discord.Object(int(ticket.asker.user_id)))
            packs = pack_embeds(reply_embeds(ticket, reply))
            for part, embeds in enumerate(packs):
                if part == len(packs) - 1:  # "Reply" under the last part: the student's answer joins this ticket
                    await dm.send(embeds=embeds, nonce=reply_nonce(reply.id, part), view=followup_view([ticket.number]))
                else:
                    await dm.send(embeds=embeds, nonce=reply_nonce(reply.id, part))
        except SEND_ERRORS as exc:
            reason = describe(exc)
            attempts = await asyncio.to_thread(self.desk.delivery_failed, reply, reason,
                                               self._back_off(reply.delivery_attempts))
            if attempts == 1:  # the first failure, as the store counts them: tell people once
                await self.tell_staff(
                    f"⚠️ The reply to ticket #{ticket.number} could not be delivered: {reason}. It stays pending "
                    "and is retried automatically; the student can also read it with /mytickets."
                )
                await self._notice_where_asked(ticket)
                await self.refresh(ticket.number)
            return Sent.FAILED
        await asyncio.to_thread(self.desk.mark_delivered, reply)
        await self.refresh(ticket.number)
        return Sent.DELIVERED

    async def mark_shown(self, replies: list[Reply]) -> None:
        """The student read these in /mytickets: they count as delivered."""
        for reply in replies:
            await asyncio.to_thread(self.desk.mark_delivered, reply)

    def _back_off(self, attempts_before: int) -> float:
        """Seconds before the next try: the retry interval, doubling per failure, at most an hour."""
        interval = max(self.bot.settings.retry_interval_seconds, 0.01)
        return min(interval * 2 ** min(attempts_before, 12), max(interval, MAX_BACKOFF_SECONDS))

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
        """One pass over everything pending that nobody holds; never raises (the loop must keep running)."""
        try:
            await self._retry_staff_posts()
            await self._retry_replies()
        except AdmissionsError as exc:
            log.warning("Retry pass skipped: %s", exc)
        except Exception:
            log.exception("Retry pass failed")
        finally:
            self.first_pass_done.set()

    async def next_retry_in(self) -> float | None:
        """Seconds until a card or reply held by a lease (perhaps a dead process's) or a back-off is due."""
        try:
            return await asyncio.to_thread(self.desk.next_retry_in, PLATFORM)
        except AdmissionsError as exc:
            log.warning("Could not check for pending deliveries: %s", exc)
            return None

    async def _retry_staff_posts(self) -> None:
        if self._card_channel() is None:
            return
        for _ in range(BATCHES_PER_PASS):
            batch = await asyncio.to_thread(self.desk.take_pending_staff_posts, self.owner, self.lease_seconds, BATCH)
            for i, ticket in enumerate(batch):
                if not await self._send_card(ticket):  # the channel is failing: the rest would too
                    for rest in batch[i + 1:]:
                        await asyncio.to_thread(self.desk.release_staff_post, rest.number, self.owner)
                    return
            if len(batch) < BATCH:
                return

    async def _retry_replies(self) -> None:
        for _ in range(BATCHES_PER_PASS):
            batch = await asyncio.to_thread(self.desk.take_pending_replies, self.owner, self.lease_seconds,
                                            PLATFORM, BATCH)
            by_student: dict[str, list[tuple[Ticket, Reply]]] = {}
            for ticket, reply in batch:
                by_student.setdefault(ticket.asker.user_id, []).append((ticket, reply))
            # Students side by side (their round trips to Discord overlap; discord.py keeps to the rate
            # limits), each student's replies in order.
            results = await asyncio.gather(*(self._send_in_order(pairs) for pairs in by_student.values()),
                                           return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            if len(batch) < BATCH:
                return

    async def _send_in_order(self, pairs: list[tuple[Ticket, Reply]]) -> None:
        for ticket, reply in pairs:
            await self._send_reply(ticket, reply)
