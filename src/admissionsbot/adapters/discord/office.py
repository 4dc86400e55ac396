"""The office's routines in Discord: canned replies, privacy requests, reminders and the daily purge.

Commands and buttons land here after the staff check (office_cog.py,
queue_items.ForgetButton); the rules live in core (snippets, privacy,
reminders). Reminders and the purge run from the Background cog's leader
loops, so only the process holding the leader lease runs them.

Reminders mention the staff roles and nothing else, and are recorded in the
database before they are posted (core/reminders.py): a restart or a second
process never posts one twice; a post Discord refuses is unrecorded and comes
again at the next pass. Log lines name ticket numbers and counts only: never
a student's words, name or contact details.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import TYPE_CHECKING

import discord
from discord.ui import View

from ...core.errors import AdmissionsError
from ...core.office_hours import OfficeHours
from ...core.privacy import Privacy
from ...core.reminders import Due, Reminders, waited_text
from ...core.snippets import Snippets
from .delivery import SEND_ERRORS, describe
from .embeds import DESCRIPTION_CHARS, MESSAGE_CHARS, clip
from .identity import staff_member
from .queue_items import ForgetButton

if TYPE_CHECKING:
    from .bot import AdmissionsBot

log = logging.getLogger(__name__)
#: Tickets named in one reminder message (the rest: "and N more").
REMINDER_LINES = 15


def reminder_text(dues: list[Due], role_ids: tuple[int, ...]) -> str:
    roles = " ".join(f"<@&{r}>" for r in role_ids)
    head = f"⏰ {roles + ' ' if roles else ''}{len(dues)} ticket{'s' if len(dues) != 1 else ''} waiting:"
    lines = [f"• {waited_text(d)}" for d in dues[:REMINDER_LINES]]
    if len(dues) > REMINDER_LINES:
        lines.append(f"… and {len(dues) - REMINDER_LINES} more (`/queue list`)")
    return clip("\n".join([head, *lines]), MESSAGE_CHARS)


def reminder_nonce(dues: list[Due]) -> str:
    """The same for a resend of this very reminder, different for every later one."""
    key = ",".join(f"{d.ticket.number}:{d.ticket.reminders + 1}" for d in dues)
    return "m" + hashlib.sha1(key.encode()).hexdigest()[:20]


class OfficeFlows:
    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot
        desk, settings = bot.desk, bot.settings
        self.snippets = Snippets(desk.store, desk.clock)
        self.privacy = Privacy(desk.store, desk.clock, settings.retention_days, settings.faq_dir)
        hours = OfficeHours.parse(settings.office_hours, settings.office_days, settings.timezone)
        self.reminders = Reminders(desk.store, hours, desk.clock, unclaimed_minutes=settings.remind_unclaimed_minutes,
                                   unanswered_hours=settings.remind_unanswered_hours)

    # -- snippets ----------------------------------------------------------------------------
    async def snippet_add(self, interaction: discord.Interaction, name: str, text: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        snippet = await asyncio.to_thread(self.snippets.add, name, text, staff_member(interaction.user))
        await interaction.followup.send(f"Snippet `{snippet.name}` added. Insert it with the Reply form's snippet "
                                        f"field or `/queue reply ... snippet:{snippet.name}`.", ephemeral=True)

    async def snippet_list(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await asyncio.to_thread(self.snippets.all)
        if not found:
            await interaction.followup.send("No snippets yet: add one with `/snippet add`.", ephemeral=True)
            return
        lines = [f"**{s.name}** — {clip(' '.join(s.text.split()), 150)}" for s in found]
        embed = discord.Embed(title=f"Snippets ({len(found)})", description=clip("\n".join(lines), DESCRIPTION_CHARS))
        await interaction.followup.send(embed=embed, ephemeral=True)

    async def snippet_remove(self, interaction: discord.Interaction, name: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await asyncio.to_thread(self.snippets.remove, name)
        await interaction.followup.send(f"Snippet `{name.strip().lower()}` removed.", ephemeral=True)

    async def snippet_names(self, current: str) -> list[str]:
        """For autocomplete: snippet names starting with what was typed (none when the database fails)."""
        try:
            found = await asyncio.to_thread(self.snippets.all)
        except AdmissionsError:
            return []
        return [s.name for s in found if s.name.startswith(current.strip().lower())][:25]

    # -- privacy -----------------------------------------------------------------------------
    async def confirm_forget(self, interaction: discord.Interaction, platform: str, user_id: str) -> None:
        """/privacy forget: say what would be removed; only the button below does it."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = (await asyncio.to_thread(self.privacy.export, platform, user_id))["tables"]
        if not data:
            await interaction.followup.send("Nothing is stored about that person.", ephemeral=True)
            return
        rows = ", ".join(f"{len(r)} {name}" for name, r in data.items())
        plat, uid = platform.strip().lower(), user_id.strip()
        if not ForgetButton.fits(plat, uid):
            await interaction.followup.send(f"Stored about that person: {rows}. Their id cannot be confirmed with a "
                                            "button here; run `admissionsbot privacy forget --platform "
                                            f"{plat} --user '<id>' --yes` where the bot runs.", ephemeral=True)
            return
        view = View(timeout=None)
        view.add_item(ForgetButton(plat, uid))
        await interaction.followup.send(f"Stored about {platform} user `{clip(user_id, 60)}`: {rows}. Forgetting "
                                        "overwrites their words, names and contact details everywhere (the rows and "
                                        "counts stay). It cannot be undone.", view=view, ephemeral=True)

    async def forget(self, interaction: discord.Interaction, platform: str, user_id: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await asyncio.to_thread(self.privacy.forget, platform, user_id, staff_member(interaction.user))
        log.info("Privacy: a person was forgotten on request (%d tickets)", len(report.tickets))
        for number in report.tickets:  # the staff cards showed their question: re-render them without it
            await self.bot.delivery.refresh(number)
        text = f"Done: {report.summary()}. Their staff-channel cards were updated."
        if report.files:
            text += f" These FAQ files still name them; edit them by hand: {', '.join(report.files)}."
        await interaction.followup.send(clip(text, MESSAGE_CHARS), ephemeral=True)

    # -- leader loops ------------------------------------------------------------------------
    async def remind_once(self) -> None:
        """Flag waiting tickets to the staff role (office hours only, each interval once). Never raises."""
        channel = self.bot.delivery.staff_channel()
        if channel is None or not self.reminders.enabled:
            return
        try:
            dues = await asyncio.to_thread(self.reminders.take_due)
        except AdmissionsError as exc:
            log.warning("Reminder pass skipped: %s", exc)
            return
        if not dues:
            return
        roles = tuple(self.bot.settings.staff_role_ids)
        try:
            await channel.send(reminder_text(dues, roles), nonce=reminder_nonce(dues),
                               allowed_mentions=discord.AllowedMentions(roles=[discord.Object(r) for r in roles]))
        except SEND_ERRORS as exc:
            log.warning("Could not post a reminder about %d ticket(s) (%s); it comes again next pass",
                        len(dues), describe(exc))
            await asyncio.to_thread(self.reminders.give_back, dues)

    async def purge_once(self) -> None:
        """Apply retention_days (the leader, daily); cards of purged tickets are re-rendered. Never raises."""
        try:
            report = await asyncio.to_thread(self.privacy.purge)
        except AdmissionsError as exc:
            log.warning("Retention purge skipped: %s", exc)
            return
        if report is None or not (report.tickets or report.texts):
            return
        log.info("Retention purge: %d closed ticket(s) and %d question text(s) older than %s", len(report.tickets),
                 report.texts, report.cutoff.date())
        for number in report.tickets:
            await self.bot.delivery.refresh(number)
