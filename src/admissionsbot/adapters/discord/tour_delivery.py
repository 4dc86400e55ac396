"""Tour reminders and slot-cancelled notices by DM: each sent once, by the leading process only.

The background cog's `tour_notices` loop (one of its leader loops, so it runs
only in the process holding the leader lease) calls `send_due` every
`retry_interval_seconds` (at most a minute). Each due notice is leased in the
store first (storage/tours.py), so a staff member's `/tours cancel` in this
process and the loop never send the same one twice, then sent with a Discord
nonce made from the booking, its slot and the kind, so a resend after a crash
mid-send returns the message Discord already created; only then is it marked
sent (`reminded_at` / `notified_at`), which no restart forgets. A failed DM
(closed DMs, an outage) backs off like a staff reply and is given up after
core.tours.NOTICE_ATTEMPTS tries; staff hear of the first failure once.

A cancellation notice lists the other open times with the select menu that
books them; a reminder says when, and how to cancel or move.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord

from ...core.desk import TOUR_QUESTION
from ...core.errors import AdmissionsError
from ...core.outcomes import ChooseSlot
from ...core.tours import NoticeKind, TourNotice
from .delivery import NONCE_CHARS, SEND_ERRORS, describe
from .identity import PLATFORM
from .tour_embeds import notice_embed
from .tour_items import slots_view

if TYPE_CHECKING:
    from ...core.tour_desk import TourDesk
    from .bot import AdmissionsBot

log = logging.getLogger(__name__)

#: Notices leased per store call, and calls per pass (the rest waits a pass).
BATCH, BATCHES_PER_PASS = 10, 20
#: The loop's pace: the retry interval, but at least once a minute (a reminder is due at a time).
MAX_PASS_SECONDS = 60.0


def notice_nonce(notice: TourNotice) -> str:
    """The same for every try of one notice; another for a reminder of a moved booking's new time."""
    b = notice.booking
    return f"n{b.ticket_number}.{b.slot.id}.{'r' if notice.kind is NoticeKind.REMINDER else 'c'}"[:NONCE_CHARS]


class TourMessenger:
    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot
        self._lock = asyncio.Lock()  # one pass at a time in this process (the loop, a staff cancel)

    @property
    def tours(self) -> TourDesk:
        return self.bot.conversation.tours.tours

    async def send_due(self) -> int:
        """One pass over the due notices nobody holds; returns how many were sent. Never raises."""
        sent = 0
        async with self._lock:
            try:
                for _ in range(BATCHES_PER_PASS):
                    batch = await asyncio.to_thread(self.tours.take_notices, self.bot.delivery.owner,
                                                    self.bot.delivery.lease_seconds, platform=PLATFORM, limit=BATCH)
                    for notice in batch:
                        sent += await self._send(notice)
                    if len(batch) < BATCH:
                        break
            except AdmissionsError as exc:
                log.warning("Tour notice pass skipped: %s", exc)
            except Exception:
                log.exception("Tour notice pass failed")
        return sent

    async def _send(self, notice: TourNotice) -> int:
        tours = self.tours
        others = await asyncio.to_thread(tours.open_slots) if notice.kind is NoticeKind.SLOT_CANCELLED else ()
        embed = notice_embed(notice, tours.zone, others)
        view = slots_view(ChooseSlot(TOUR_QUESTION, others, zone=tours.zone)) if others else None
        try:
            dm = await self.bot.create_dm(discord.Object(int(notice.ticket.asker.user_id)))
            if view is None:
                await dm.send(embed=embed, nonce=notice_nonce(notice))
            else:
                await dm.send(embed=embed, view=view, nonce=notice_nonce(notice))
        except SEND_ERRORS as exc:
            reason = describe(exc)
            attempts = await asyncio.to_thread(tours.notice_failed, notice, reason,
                                               self.bot.delivery._back_off(notice.booking.notice_attempts))
            if attempts == 1:
                what = "tour reminder" if notice.kind is NoticeKind.REMINDER else "notice that their tour was cancelled"
                await self.bot.delivery.tell_staff(
                    f"⚠️ Ticket #{notice.ticket.number}: the {what} could not be sent to the student: {reason}. "
                    "It is retried a few times; their contact details are on the ticket.")
            return 0
        return int(await asyncio.to_thread(tours.notice_sent, notice))
