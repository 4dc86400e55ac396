"""Staff slash commands (/queue ..., /faq reload): thin wrappers over StaffFlows.

Every command in this cog passes `cog_check`-style `interaction_check`, which
checks the member's roles each time: default permissions only hide commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...core.limits import CLOSE_REASON_CHARS, REPLY_CHARS, SNIPPET_NAME_CHARS
from ...core.models import TicketStatus
from .identity import require_staff

if TYPE_CHECKING:
    from .bot import AdmissionsBot

MAX_DAYS = 3660  # /stats and /faq gaps look back at most ten years
STAFF_DEFAULT_PERMISSIONS = discord.Permissions(manage_messages=True)  # hidden from students; not the real check


def staff_group(name: str, description: str) -> app_commands.Group:
    """A slash-command group for staff: server only, hidden from students by default."""
    return app_commands.Group(name=name, description=description, guild_only=True,
                              default_permissions=STAFF_DEFAULT_PERMISSIONS)


class StaffOnlyCog(commands.Cog):
    """A cog whose every command is for staff: the member's roles are checked on each use."""

    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        require_staff(interaction, self.bot.settings)  # raises NotStaff, answered by the error handler
        return True


class StaffCog(StaffOnlyCog, name="Staff"):
    queue = staff_group("queue", "Admissions staff: work the ticket queue")
    faq = staff_group("faq", "Admissions staff: manage the FAQ")

    @queue.command(name="list", description="List tickets, newest first")
    @app_commands.describe(status="Only tickets with this status")
    async def queue_list(self, interaction: discord.Interaction, status: TicketStatus | None = None) -> None:
        await self.bot.staff.list_tickets(interaction, status)

    @queue.command(name="show", description="Show one ticket in full")
    async def queue_show(self, interaction: discord.Interaction, number: app_commands.Range[int, 1]) -> None:
        await self.bot.staff.show(interaction, number)

    @queue.command(name="claim", description="Claim a ticket so you can reply to it")
    async def queue_claim(self, interaction: discord.Interaction, number: app_commands.Range[int, 1]) -> None:
        await self.bot.staff.claim(interaction, number)

    @queue.command(name="reply", description="Reply to a ticket; the student gets it by DM or /mytickets")
    @app_commands.describe(text="Your reply (at most 4,000 characters)",
                           snippet="A canned reply to insert after your text (see /snippet list)")
    async def queue_reply(self, interaction: discord.Interaction, number: app_commands.Range[int, 1],
                          text: app_commands.Range[str, 1, REPLY_CHARS] | None = None,
                          snippet: app_commands.Range[str, 1, SNIPPET_NAME_CHARS] | None = None) -> None:
        await self.bot.staff.reply(interaction, number, text or "", snippet=snippet)

    @queue_reply.autocomplete("snippet")
    async def snippet_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=n, value=n) for n in await self.bot.office.snippet_names(current)]

    @queue.command(name="close", description="Close a ticket")
    @app_commands.describe(reason="Why it is closed (optional)")
    async def queue_close(self, interaction: discord.Interaction, number: app_commands.Range[int, 1],
                          reason: app_commands.Range[str, 1, CLOSE_REASON_CHARS] | None = None) -> None:
        await self.bot.staff.close(interaction, number, reason)

    @queue.command(name="release", description="Give a claimed ticket back to the open queue")
    async def queue_release(self, interaction: discord.Interaction, number: app_commands.Range[int, 1]) -> None:
        await self.bot.handover.release(interaction, number)

    @queue.command(name="assign", description="Give a ticket to another staff member")
    @app_commands.describe(member="The staff member who takes it over")
    async def queue_assign(self, interaction: discord.Interaction, number: app_commands.Range[int, 1],
                           member: discord.Member) -> None:
        await self.bot.handover.assign(interaction, number, member)

    @queue.command(name="reopen", description="Reopen a closed ticket")
    async def queue_reopen(self, interaction: discord.Interaction, number: app_commands.Range[int, 1]) -> None:
        await self.bot.handover.reopen(interaction, number)

    @faq.command(name="reload", description="Reload and validate the FAQ files; a broken FAQ is not loaded")
    async def faq_reload(self, interaction: discord.Interaction) -> None:
        await self.bot.staff.reload_faq(interaction)

    @faq.command(name="gaps", description="The questions the FAQ could not answer, grouped: what to write next")
    @app_commands.describe(days="Only the last N days (default: all time)")
    async def faq_gaps(self, interaction: discord.Interaction,
                       days: app_commands.Range[int, 1, MAX_DAYS] | None = None) -> None:
        await self.bot.knowledge.gaps(interaction, days)

    @app_commands.command(name="stats", description="Admissions figures: questions, answers, hand-offs, reply times")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_messages=True)
    @app_commands.describe(days="Only the last N days (default: all time)")
    async def stats(self, interaction: discord.Interaction,
                    days: app_commands.Range[int, 1, MAX_DAYS] | None = None) -> None:
        await self.bot.knowledge.stats(interaction, days)

