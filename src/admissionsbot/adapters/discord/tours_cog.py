"""`/tours add|list|show|cancel`: staff publish campus tour slots and read the rosters in Discord.

Staff only: the cog's interaction_check checks the member's roles on every
command (default permissions only hide the group). Answers are ephemeral, since
a roster holds students' contact details. Times are typed in the school's
`timezone` and shown in it and as Discord timestamps. Cancelling a slot closes
its bookings' tickets at once; each booked student is told once by DM, with the
other open times, by the leading process (tour_delivery.py): at once when this
process leads, else by the leader's next pass.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from ...core.limits import CLOSE_REASON_CHARS, TOUR_CAPACITY_MAX, TOUR_LENGTH_MINUTES, TOUR_NOTE_CHARS, TOUR_WHEN_CHARS
from ...core.tours import slot_when
from .embeds import MESSAGE_CHARS, clip
from .identity import staff_member
from .staff_cog import StaffOnlyCog, staff_group
from .tour_embeds import roster_embed, slot_list_embed, timestamp

if TYPE_CHECKING:
    from ...core.tour_desk import TourDesk

SHORTEST, LONGEST = TOUR_LENGTH_MINUTES


class ToursCog(StaffOnlyCog, name="Tours"):
    tours = staff_group("tours", "Admissions staff: campus tour slots")

    @property
    def desk(self) -> TourDesk:
        return self.bot.conversation.tours.tours

    @tours.command(name="add", description="Publish a tour slot (its time in the school's time zone)")
    @app_commands.describe(when="Start in the school's time zone, e.g. 2026-12-08 14:00",
                           capacity="How many visitors it holds in all", length="Minutes (default 60)",
                           note="Shown to students with the time, e.g. where to meet")
    async def tours_add(self, interaction: discord.Interaction, when: app_commands.Range[str, 1, TOUR_WHEN_CHARS],
                        capacity: app_commands.Range[int, 1, TOUR_CAPACITY_MAX],
                        length: app_commands.Range[int, SHORTEST, LONGEST] = 60,
                        note: app_commands.Range[str, 1, TOUR_NOTE_CHARS] | None = None) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        slot = await asyncio.to_thread(self.desk.add_slot, when, capacity, length, note or "",
                                       staff_member(interaction.user))
        days = self.desk.rules.days_ahead
        await interaction.followup.send(clip(
            f"Tour slot #{slot.id} published: {timestamp(slot.starts_at)} ({slot_when(slot, self.desk.zone)}), "
            f"{slot.capacity} places. Students see it in `/tour` during the {days} days before it.",
            MESSAGE_CHARS), ephemeral=True)

    @tours.command(name="list", description="Tour slots not started yet (all: past ones too)")
    @app_commands.rename(everything="all")
    @app_commands.describe(everything="Include past slots")
    async def tours_list(self, interaction: discord.Interaction, everything: bool = False) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        slots = await asyncio.to_thread(self.desk.slots, everything=everything, limit=60)
        title = "All tour slots" if everything else "Upcoming tour slots"
        await interaction.followup.send(embed=slot_list_embed(slots, self.desk.zone, title), ephemeral=True)

    @tours.command(name="show", description="One tour slot and who booked it (contact details)")
    async def tours_show(self, interaction: discord.Interaction, slot: app_commands.Range[int, 1]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await asyncio.to_thread(self.desk.slot, slot)
        roster = await asyncio.to_thread(self.desk.roster, slot)
        await interaction.followup.send(embed=roster_embed(found, roster, self.desk.zone), ephemeral=True)

    @tours.command(name="cancel", description="Cancel a tour slot; each booked student is told by DM")
    @app_commands.describe(reason="Told to the students and kept on their tickets")
    async def tours_cancel(self, interaction: discord.Interaction, slot: app_commands.Range[int, 1],
                           reason: app_commands.Range[str, 1, CLOSE_REASON_CHARS] | None = None) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        cancelled, numbers = await asyncio.to_thread(self.desk.cancel_slot, slot, staff_member(interaction.user),
                                                     reason)
        told = (f"{len(numbers)} booked student(s) will be told by DM, with the other open times." if numbers
                else "Nobody had booked it.")
        await interaction.followup.send(clip(f"Tour slot #{cancelled.id} ({timestamp(cancelled.starts_at)}) is "
                                             f"cancelled. {told}", MESSAGE_CHARS), ephemeral=True)
        for number in numbers:
            await self.bot.delivery.refresh(number)  # their cards show them closed
        if numbers and self.bot.leadership.leading():  # only the leader sends; else its next pass does
            await self.bot.tour_messenger.send_due()
