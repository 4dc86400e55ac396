"""Staff hand-over in Discord: release, assign and reopen, for card buttons and /queue commands alike.

Callers have checked that the member is staff; the desk (core/handover.py)
decides who may release or reassign a ticket someone else holds. Every change
re-renders the card. An assignment is announced in the staff channel to the
member it is given to (a ping of that one person; nothing else can ping).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ui import View

from ...core.desk import TicketDesk
from ...core.models import Staff, Ticket
from . import errors
from .delivery import SEND_ERRORS, describe
from .embeds import clip, staff_note_text
from .identity import is_staff, staff_member
from .queue_items import AssignSelect

if TYPE_CHECKING:
    from .bot import AdmissionsBot

log = logging.getLogger(__name__)


def mention_of(staff: Staff) -> tuple[str, list[discord.Object]]:
    """How to name a staff member in a staff-channel note, and the one user that note may ping."""
    if staff.platform == "discord" and staff.user_id.isdigit():
        return f"<@{staff.user_id}>", [discord.Object(int(staff.user_id))]
    return f"**{clip(str(staff), 60)}**", []


class HandoverFlows:
    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot

    @property
    def desk(self) -> TicketDesk:
        return self.bot.desk

    async def release(self, interaction: discord.Interaction, number: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        ticket = await asyncio.to_thread(self.desk.release, number, staff_member(interaction.user))
        await interaction.followup.send(f"Ticket #{ticket.number} is open again: anyone can claim it.", ephemeral=True)
        await self.bot.delivery.refresh(number)

    async def reopen(self, interaction: discord.Interaction, number: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        ticket = await asyncio.to_thread(self.desk.reopen, number, staff_member(interaction.user))
        await interaction.followup.send(f"Ticket #{ticket.number} is open again.", ephemeral=True)
        await self.bot.delivery.refresh(number)

    async def open_assign(self, interaction: discord.Interaction, number: int) -> None:
        """The card's Assign button: a member picker only the clicker sees."""
        view = View(timeout=None)
        view.add_item(AssignSelect(number))
        await interaction.response.send_message(f"Assign ticket #{number} to:", view=view, ephemeral=True)

    async def assign(self, interaction: discord.Interaction, number: int, member: discord.abc.User) -> None:
        """Give the ticket to `member`, who must hold a staff role; they hear of it in the staff channel."""
        if not is_staff(member, interaction.guild_id, self.bot.settings):
            await errors.tell(interaction, f"{clip(member.name, 80)} is not on the admissions team (no staff role); "
                                           "pick a staff member.")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        by, to = staff_member(interaction.user), staff_member(member)
        before = await asyncio.to_thread(self.desk.ticket, number)
        ticket = await asyncio.to_thread(self.desk.assign, number, by, to)
        await interaction.followup.send(f"Ticket #{ticket.number} is now with {clip(to.name, 80)}.", ephemeral=True)
        await self.bot.delivery.refresh(number)
        if to != by and before.claimed_by != to:
            await self._tell_assignee(ticket, by, to)

    async def _tell_assignee(self, ticket: Ticket, by: Staff, to: Staff) -> None:
        channel = self.bot.delivery.staff_channel()
        if channel is None:
            return
        who, ping = mention_of(to)
        text = f"📌 {who}: {clip(by.name, 60)} assigned ticket #{ticket.number} to you."
        try:
            await channel.send(staff_note_text(text), allowed_mentions=discord.AllowedMentions(users=ping))
        except SEND_ERRORS as exc:
            log.warning("Could not announce the assignment of ticket #%s: %s", ticket.number, describe(exc))
