"""The knowledge loop in Discord: "Add to FAQ" on a card, /faq gaps, /stats and the weekly digest.

Each action hands over to the core (core/learning.py, core/insights.py) in a
worker thread and renders the result; callers have checked that the member is
staff. After a learn the new FAQ is in use in this process at once; other
processes pick the file up at their next student turn (core/faq_watch.py).

The digest is posted by the leading process only (the background cog runs
`digest_pass` among the leader's loops), once per week: the store records each
week (`weekly_digests`), and the post carries a nonce made from the week, so a
process that dies between posting and recording, and another that posts again
within Discord's nonce window, give one message.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import discord

from ...adapters.charts import INSTALL, ChartsUnavailable, chart_png
from ...core.digest import DigestSchedule, parse_schedule
from ...core.errors import AdmissionsError
from ...core.insights import Insights
from ...core.learning import Learned, LearnError, NewEntry
from ...core.models import EntryKind
from .delivery import SEND_ERRORS, describe
from .embeds import message_chunks
from .identity import staff_member
from .insight_embeds import digest_embed, gaps_embed, learned_text, stats_embed
from .learn_form import LearnInput, LearnModal

if TYPE_CHECKING:
    from .bot import AdmissionsBot

log = logging.getLogger(__name__)
KINDS = {"answer": EntryKind.ANSWER, "handoff": EntryKind.HANDOFF, "hand-off": EntryKind.HANDOFF}


class KnowledgeFlows:
    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot
        self.schedule: DigestSchedule | None = parse_schedule(bot.settings.digest_day, bot.settings.digest_time,
                                                              bot.settings.timezone)
        self._posted_week = ""  # the last week this process saw posted (saves a query a minute)
        self.digest_checked = asyncio.Event()  # set after every digest pass (tests wait for it)

    @property
    def insights(self) -> Insights:
        insights = self.bot.assistant.insights
        if insights is None:
            raise AdmissionsError("The figures are not available in this process.")
        return insights

    # -- learn --------------------------------------------------------------------------------
    async def open_learn_form(self, interaction: discord.Interaction, number: int) -> None:
        ticket = await asyncio.to_thread(self.bot.desk.ticket, number)
        await interaction.response.send_modal(LearnModal(ticket))

    async def learn(self, interaction: discord.Interaction, number: int, typed: LearnInput) -> None:
        """Learn the ticket as the form says; on refusal the errors and what was typed go back to the member."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            learned = await asyncio.to_thread(self._learn, number, typed, interaction.user)
        except AdmissionsError as exc:
            text = f"Nothing was added to the FAQ. {exc}\n\nWhat you entered, to copy:\n{typed.echo()}"
            for chunk in message_chunks(text)[:4]:
                await interaction.followup.send(chunk, ephemeral=True)
            return
        await interaction.followup.send(learned_text(number, learned), ephemeral=True)

    def _learn(self, number: int, typed: LearnInput, user: discord.abc.User) -> Learned:
        assistant = self.bot.assistant
        learner = assistant.learner
        if learner is None:
            raise LearnError("Learning is not available in this process.")
        staff = staff_member(user)
        if self.bot.answerer.entry(typed.entry_id) is not None:
            learned = learner.add_phrasing(number, staff, typed.entry_id, typed.phrasings)
        else:
            kind = KINDS.get(typed.kind.lower())
            if kind is None:
                raise LearnError(f"Kind {typed.kind!r}: a new entry is 'answer' or 'handoff'.")
            learned = learner.new_entry(number, staff, NewEntry(typed.entry_id, typed.question or None,
                                                                typed.answer or None, typed.phrasings, kind))
        if assistant.watch is not None:
            assistant.watch.loaded(learned.knowledge, learned.seen)
        else:
            self.bot.answerer.reload(learned.knowledge)
        return learned

    # -- gaps and figures ------------------------------------------------------------------------
    async def gaps(self, interaction: discord.Interaction, days: int | None) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        since = self.bot.desk.clock() - timedelta(days=days) if days else None
        gaps = await asyncio.to_thread(self.insights.gaps, since)
        await interaction.followup.send(embed=gaps_embed(gaps, days), ephemeral=True)

    async def stats(self, interaction: discord.Interaction, days: int | None) -> None:
        """The figures, with the chart attached when matplotlib is installed."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        since = self.bot.desk.clock() - timedelta(days=days) if days else None
        report = await asyncio.to_thread(self.insights.report, since)
        try:
            png = await asyncio.to_thread(chart_png, report)
        except ChartsUnavailable:
            await interaction.followup.send(embed=stats_embed(report, days, f"No chart: {INSTALL}"), ephemeral=True)
            return
        embed = stats_embed(report, days)
        embed.set_image(url="attachment://stats.png")
        await interaction.followup.send(embed=embed, file=discord.File(io.BytesIO(png), "stats.png"), ephemeral=True)

    # -- the weekly digest --------------------------------------------------------------------------
    async def digest_pass(self) -> bool:
        """Post this week's digest if it is due and not posted yet; True when this call posted it."""
        try:
            return await self._digest_pass()
        except AdmissionsError as exc:  # e.g. the database is down: the next pass tries again
            log.warning("Could not prepare the weekly digest: %s", exc)
            return False
        finally:
            self.digest_checked.set()

    async def _digest_pass(self) -> bool:
        schedule = self.schedule
        channel_id = self.bot.settings.staff_channel_id
        if schedule is None or channel_id is None:
            return False
        now = self.bot.desk.clock()
        week = schedule.week_of(now)
        store = self.bot.desk.store
        if week == self._posted_week or await asyncio.to_thread(store.digest_posted, week):
            self._posted_week = week
            return False
        digest = await asyncio.to_thread(self.insights.digest, schedule, now)
        channel = self.bot.get_partial_messageable(channel_id, guild_id=self.bot.settings.guild_id)
        try:
            message = await channel.send(embed=digest_embed(digest), nonce=f"d{week}")
        except SEND_ERRORS as exc:
            log.warning("Could not post the weekly digest of %s (%s); retrying in a minute.", week, describe(exc))
            return False
        await asyncio.to_thread(store.record_digest, week, f"{channel_id}:{message.id}", now)
        self._posted_week = week
        log.info("Posted the weekly digest of %s.", week)
        return True

