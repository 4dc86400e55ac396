"""A student answers a staff reply: the "Reply" form, and telling the claimer in the staff channel.

The message joins the student's own ticket (core: TicketDesk.follow_up), which
goes back to claimed (or open), and its card is re-rendered. The claimer hears
of it once: whoever takes the follow-up's notice mark in the store posts it (the
process that received the form at once; the leader's retry pass for follow-ups
typed in the console or whose notice failed). A notice whose process died
between the mark and the post is not repeated: the card still shows the
message and the ticket is back in the claimer's queue.

The student's words go to the staff channel (staff see questions anyway), never
to the log.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, cast

import discord
from discord.ui import Modal, TextInput

from ...core.desk import TicketDesk
from ...core.errors import AdmissionsError
from ...core.limits import FOLLOWUP_CHARS
from ...core.models import FollowUp, Ticket
from . import errors
from .delivery import SEND_ERRORS, describe
from .embeds import MESSAGE_CHARS, clip
from .handover import mention_of
from .identity import asker_from_interaction

if TYPE_CHECKING:
    from .bot import AdmissionsBot

log = logging.getLogger(__name__)
FORM_TIMEOUT = 30 * 60.0
QUOTED_CHARS = 1500  # of the student's message in the staff-channel note
#: Follow-ups announced per retry pass (the rest wait for the next one).
ANNOUNCE_BATCH = 25


def _bot(interaction: discord.Interaction) -> AdmissionsBot:
    return cast("AdmissionsBot", interaction.client)


class FollowUpModal(Modal):
    text: TextInput[FollowUpModal] = TextInput(label="Your message to the admissions team",
                                               style=discord.TextStyle.paragraph, max_length=FOLLOWUP_CHARS)

    def __init__(self, number: int) -> None:
        super().__init__(title=f"Reply on ticket #{number}"[:45], timeout=FORM_TIMEOUT)
        self.number = number

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await errors.allow_student(interaction)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).followups.submit(interaction, self.number, self.text.value)

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await errors.handle(interaction, error, f"follow-up form #{self.number}")


def notice_text(ticket: Ticket, followup: FollowUp) -> tuple[str, list[discord.Object]]:
    """The staff-channel note, and the one member it may ping (the claimer)."""
    quoted = "\n".join("> " + line for line in clip(followup.text, QUOTED_CHARS).splitlines() or [""])
    if ticket.claimed_by is not None:
        who, ping = mention_of(ticket.claimed_by)
        head = f"💬 {who}: the student answered on ticket #{ticket.number} (claimed by you):"
    else:
        ping = []
        head = f"💬 The student answered on ticket #{ticket.number} ({ticket.status.value}, unclaimed):"
    return clip(f"{head}\n{quoted}", MESSAGE_CHARS), ping


class FollowUpFlows:
    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot

    @property
    def desk(self) -> TicketDesk:
        return self.bot.desk

    async def open_form(self, interaction: discord.Interaction, number: int) -> None:
        await interaction.response.send_modal(FollowUpModal(number))

    async def submit(self, interaction: discord.Interaction, number: int, text: str) -> None:
        """Add the message to the student's ticket; a refusal shows what they typed, so nothing is lost."""
        refusal = self.bot.cooldown.hit(str(interaction.user.id))
        if not refusal.allowed:
            await errors.tell(interaction, refusal.message())
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        asker = asker_from_interaction(interaction)
        try:
            ticket = await asyncio.to_thread(self.desk.follow_up, asker, number, text)
        except AdmissionsError as exc:
            await errors.tell(interaction, f"{exc} Your message was not sent; here it is so you can copy it:")
            await interaction.followup.send(clip(text, MESSAGE_CHARS), ephemeral=True)
            return
        await interaction.followup.send(f"Thanks: your message was added to ticket #{ticket.number}. The admissions "
                                        "team will see it with your question.", ephemeral=True)
        if ticket.followups:
            await self.announce(ticket, ticket.followups[-1])
        await self.bot.delivery.refresh(ticket.number)

    async def announce(self, ticket: Ticket, followup: FollowUp) -> bool:
        """Tell the staff channel (pinging the claimer) unless someone already did; True when this call did."""
        channel = self.bot.delivery.staff_channel()
        if channel is None or not await asyncio.to_thread(self.desk.take_followup_notice, followup):
            return False
        text, ping = notice_text(ticket, followup)
        try:
            await channel.send(text, allowed_mentions=discord.AllowedMentions(users=ping), nonce=f"f{followup.id}"[:25])
        except SEND_ERRORS as exc:
            log.warning("Could not tell the staff channel of a follow-up on ticket #%s (%s); retried later",
                        ticket.number, describe(exc))
            await asyncio.to_thread(self.desk.release_followup_notice, followup)
            return False
        return True

    async def announce_pending(self) -> None:
        """The retry pass: follow-ups nobody announced yet (the console's, failed notices). Never raises."""
        if self.bot.delivery.staff_channel() is None:
            return
        try:
            pending = await asyncio.to_thread(self.desk.unannounced_followups, ANNOUNCE_BATCH)
            for ticket, followup in pending:
                if await self.announce(ticket, followup):
                    await self.bot.delivery.refresh(ticket.number)
        except AdmissionsError as exc:
            log.warning("Follow-up notices skipped this pass: %s", exc)
        except Exception:
            log.exception("Follow-up notices failed")
