"""The staff side: claim, reply, close, list, show and FAQ reload, for commands and buttons alike.

Slash commands and staff-card buttons both land here, so each action has one
implementation. Callers have already checked that the member is staff; the
service enforces the queue rules and its AdmissionsError messages reach the
member through the global error handler. Every change re-renders the card.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord

from ...core.desk import TicketDesk
from ...core.errors import AdmissionsError
from ...core.knowledge import FaqError, load_knowledge
from ...core.models import TicketStatus
from . import errors
from .delivery import Sent
from .embeds import MESSAGE_CHARS, clip, full_text_embeds, message_chunks, staff_ticket_embed, ticket_list_embed
from .identity import staff_member
from .modals import CloseModal, ReplyModal

if TYPE_CHECKING:
    from .bot import AdmissionsBot


class StaffFlows:
    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot

    @property
    def desk(self) -> TicketDesk:
        return self.bot.desk

    async def claim(self, interaction: discord.Interaction, number: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        ticket = await asyncio.to_thread(self.desk.claim, number, staff_member(interaction.user))
        await interaction.followup.send(f"You claimed ticket #{ticket.number}.", ephemeral=True)
        await self.bot.delivery.refresh(number)

    async def open_reply_form(self, interaction: discord.Interaction, number: int) -> None:
        await interaction.response.send_modal(ReplyModal(number))

    async def open_close_form(self, interaction: discord.Interaction, number: int) -> None:
        await interaction.response.send_modal(CloseModal(number))

    async def reply(
        self, interaction: discord.Interaction, number: int, text: str, *, snippet: str | None = None,
        echo_on_error: bool = False
    ) -> None:
        """Record the reply (with a snippet's text after it), then deliver it; a refused reply from the form
        is echoed back."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            reply = await asyncio.to_thread(self.desk.reply, number, staff_member(interaction.user), text, snippet)
        except AdmissionsError as exc:
            if not echo_on_error or not text.strip():
                raise
            await errors.tell(interaction, f"{exc} Your reply was not sent; here it is so you can copy it:")
            for chunk in message_chunks(text):
                await interaction.followup.send(chunk, ephemeral=True)
            return
        ticket = await asyncio.to_thread(self.desk.ticket, number)
        sent = await self.bot.delivery.deliver_reply(ticket, reply)
        if sent is Sent.DELIVERED:
            note = f"Reply to ticket #{number} recorded and sent to the student by DM."
        elif sent is Sent.NOT_DISCORD:
            note = f"Reply to ticket #{number} recorded; the student asked on {ticket.asker.platform}, not Discord."
        elif sent is Sent.ELSEWHERE:  # the retry pass (here or in another process) took it first
            note = f"Reply to ticket #{number} recorded; it is being sent to the student by DM."
        else:
            note = (f"Reply to ticket #{number} recorded, but the DM could not be delivered. It stays pending and "
                    "is retried; the student can also read it with /mytickets.")
        await interaction.followup.send(note, ephemeral=True)

    async def close(self, interaction: discord.Interaction, number: int, reason: str | None) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        ticket = await asyncio.to_thread(self.desk.close, number, staff_member(interaction.user), reason)
        await interaction.followup.send(f"Ticket #{ticket.number} closed.", ephemeral=True)
        await self.bot.delivery.refresh(number)

    async def list_tickets(self, interaction: discord.Interaction, status: TicketStatus | None) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        tickets = await asyncio.to_thread(self.desk.tickets, status, 25)
        title = f"{status.value.capitalize()} tickets" if status else "Latest tickets"
        await interaction.followup.send(embed=ticket_list_embed(tickets, title), ephemeral=True)

    async def show(self, interaction: discord.Interaction, number: int) -> None:
        """The card plus the full question when the card had to cut it."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        ticket = await asyncio.to_thread(self.desk.ticket, number)
        knowledge = self.bot.answerer.knowledge
        card = staff_ticket_embed(ticket, lambda eid: knowledge.entry(eid).question if knowledge.has(eid) else None)
        await interaction.followup.send(embed=card, ephemeral=True)
        if len(ticket.question) > len(card.description or ""):
            for embed in full_text_embeds(f"Ticket #{number}: full question", ticket.question):
                await interaction.followup.send(embed=embed, ephemeral=True)
        for reply in ticket.replies:
            for embed in full_text_embeds(f"Reply by {reply.author}", reply.text):
                await interaction.followup.send(embed=embed, ephemeral=True)

    async def reload_faq(self, interaction: discord.Interaction) -> None:
        """Validate the FAQ on disk; only a valid one replaces the running knowledge base."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        directory = self.bot.answerer.knowledge.directory or self.bot.settings.faq_dir
        try:
            knowledge = await asyncio.to_thread(load_knowledge, directory)
        except FaqError as exc:
            text = f"The FAQ was NOT reloaded; the last good version stays in use.\n{exc}"
            for chunk in message_chunks(text)[:5]:
                await interaction.followup.send(chunk, ephemeral=True)
            return
        await asyncio.to_thread(self.bot.answerer.reload, knowledge)
        warnings = ""
        if knowledge.warnings:
            warnings = f" ({len(knowledge.warnings)} warning(s): run `admissionsbot faq check` to see them)"
        text = f"FAQ reloaded: {len(knowledge.entries)} entries{warnings}."
        await interaction.followup.send(clip(text, MESSAGE_CHARS), ephemeral=True)
