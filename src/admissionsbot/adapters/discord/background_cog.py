"""The bot's background work as a cog that owns its loops: leading, and retrying staff posts and replies.

Background work runs in one process at a time: the one holding the leader
lease (adapters/leadership.py). The `lead` loop renews it (or tries to take it)
every `standby_takeover_seconds / 5`; the loops in `leader_loops` (the retry
loop; reminders, a digest or a purge belong there too) run only while this
process leads. Its first pass is the start-up pass (or the takeover pass), so
what was pending while no process led goes out at once; a pass that finds
cards or replies held by someone else's lease (a process that died mid-send)
or backing off passes again as soon as the first of them is due, so a dead
process's sends are redone within its lease, not a retry interval later.

A `--standby` process connected to Discord only once it led; should it stop
leading (renewals failing for longer than its lease), another may have taken
over, so it closes the bot rather than answer students twice.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

from .tour_delivery import MAX_PASS_SECONDS

if TYPE_CHECKING:
    from .bot import AdmissionsBot

log = logging.getLogger(__name__)

#: Passes at most per retry tick when leases end before the next tick, and the shortest wait between them.
EXTRA_PASSES, MIN_WAIT_SECONDS = 5, 0.05
#: How often the leader looks for tickets to remind the staff role of.
REMIND_CHECK_SECONDS = 60.0
#: How often the leader looks whether the weekly digest is due.
DIGEST_CHECK_SECONDS = 60.0


class BackgroundCog(commands.Cog, name="Background"):
    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot
        self.retry.change_interval(seconds=bot.settings.retry_interval_seconds)
        self.lead.change_interval(seconds=bot.leadership.interval)
        self._closing: asyncio.Task[None] | None = None
        self.leader_loops: tuple[tasks.Loop, ...] = (self.retry,)
        self.leader_loops += (self.remind, self.purge)  # reminders to the staff role; retention_days, daily
        self.tour_notices.change_interval(seconds=min(bot.settings.retry_interval_seconds, MAX_PASS_SECONDS))
        self.leader_loops += (self.tour_notices,)  # tour reminders and cancellation notices, each sent once
        if bot.knowledge.schedule is not None:  # settings digest_day / digest_time
            self.leader_loops += (self.digest,)

    async def cog_load(self) -> None:
        if not await self._check_lead() and not self.bot.standby:
            holder = await self.bot.leadership.holder()
            log.warning("Another admissionsbot process (%s) leads on this database: it runs the retries; this one "
                        "answers Discord events too. Discord sends every event to every connected process, so "
                        "students get two answers: start extra processes with `admissionsbot run --standby`.",
                        holder or "unknown")
        self.lead.start()

    async def cog_unload(self) -> None:
        self.lead.cancel()
        for loop in self.leader_loops:
            loop.cancel()
        await self.bot.leadership.resign()

    async def _check_lead(self) -> bool:
        """Renew or take the lease; start or stop the leader's loops to match."""
        leading = await self.bot.leadership.try_lead()
        running = [loop for loop in self.leader_loops if loop.is_running()]
        if leading and len(running) < len(self.leader_loops):
            log.info("This process (%s) leads: it runs the background work.", self.bot.leadership.owner)
            for loop in self.leader_loops:
                if not loop.is_running():
                    loop.start()
        elif not leading and running:
            for loop in running:
                loop.cancel()
            log.warning("This process no longer leads (the leader lease could not be renewed in time); "
                        "another process runs the background work now.")
        if not leading and self.bot.standby and self._closing is None:
            self.bot.lost_lead = True
            log.error("Another process may be active now: leaving Discord so students are not answered twice.")
            self._closing = asyncio.get_running_loop().create_task(self.bot.close())
        return leading

    @tasks.loop(seconds=10.0)
    async def lead(self) -> None:
        """Keep the leader lease (or take it when it lapses)."""
        await self._check_lead()

    @tasks.loop(seconds=REMIND_CHECK_SECONDS)
    async def remind(self) -> None:
        """Flag tickets waiting too long to the staff role (office hours only; recorded, so never twice)."""
        await self.bot.office.remind_once()

    @tasks.loop(hours=24)
    async def purge(self) -> None:
        """Remove the personal data of tickets closed more than retention_days ago (first pass at start-up)."""
        await self.bot.office.purge_once()

    @tasks.loop(seconds=60.0)
    async def retry(self) -> None:
        """Post what staff have not seen yet and deliver replies students have not had yet."""
        delivery = self.bot.delivery
        await delivery.retry_pending()
        await self.bot.followups.announce_pending()  # students' answers to replies that staff have not heard of
        for _ in range(EXTRA_PASSES):
            wait = await delivery.next_retry_in()
            if wait is None or wait >= self.bot.settings.retry_interval_seconds:
                return  # nothing held, or the next tick comes first
            await asyncio.sleep(max(wait, MIN_WAIT_SECONDS))
            await delivery.retry_pending()

    @tasks.loop(seconds=DIGEST_CHECK_SECONDS)
    async def digest(self) -> None:
        """Post the weekly digest once it is due (once per week: the store remembers each week)."""
        await self.bot.knowledge.digest_pass()

    @tasks.loop(seconds=MAX_PASS_SECONDS)
    async def tour_notices(self) -> None:
        """Send the tour reminders and slot-cancelled notices that are due (adapters/discord/tour_delivery.py)."""
        await self.bot.tour_messenger.send_due()
