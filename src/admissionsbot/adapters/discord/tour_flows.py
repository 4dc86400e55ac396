"""The student side of tour booking on Discord: render the tour Outcomes, hand each step to the dialogue.

/tour, the tour button and a tour question reach Conversation.request_tour
through StudentFlows, whose render() passes the tour outcomes here: the open
times as an embed (each with a Discord timestamp) and a select menu with "None
of these times"; a pick opens the booking form (a modal); the form is booked at
once and confirmed ephemerally with Cancel / Move buttons, and the staff card is
posted like any ticket's. Nothing here decides: core/tour_dialogue.py does, off
the event loop (a slow step defers the interaction; a form that can no longer
open at once becomes a button that opens it).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord

from ...core.desk import TOUR_QUESTION
from ...core.outcomes import BookingCancelled, ChooseSlot, OpenBookingForm, Outcome, Refused, TourBooked
from ...core.tours import BookingDetails, TourSlot, slot_when
from . import errors
from .embeds import MESSAGE_CHARS, clip, question_from
from .identity import asker_from_interaction
from .tour_embeds import booked_embed, cancelled_text, my_bookings_embed, slots_embed, timestamp
from .tour_items import BookingModal, FixBookingView, book_view, booking_view, slots_view

if TYPE_CHECKING:
    from ...core.models import Asker
    from ...core.tour_dialogue import TourDialogue
    from .bot import AdmissionsBot

log = logging.getLogger(__name__)

TOUR_OUTCOMES = (ChooseSlot, OpenBookingForm, TourBooked, BookingCancelled)


class TourFlows:
    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot

    @property
    def dialogue(self) -> TourDialogue:
        return self.bot.conversation.tours

    # -- rendering ---------------------------------------------------------------------------
    async def render(self, interaction: discord.Interaction, outcome: Outcome, *,
                     prefill: BookingDetails | None = None) -> None:
        """Show a tour outcome ephemerally (anything else goes to the student flows' renderer)."""
        done = interaction.response.is_done()
        send = interaction.followup.send if done else interaction.response.send_message
        if isinstance(outcome, ChooseSlot):
            await send(embed=slots_embed(outcome), view=slots_view(outcome, prefill), ephemeral=True)
        elif isinstance(outcome, OpenBookingForm):
            if done:  # deferred: a form can only be the first answer, so a button opens it
                when = f"{timestamp(outcome.slot.starts_at)} ({slot_when(outcome.slot, outcome.zone)})"
                await send(f"Press the button to book the tour on {when}.", view=book_view(outcome.slot),
                           ephemeral=True)
            else:
                await interaction.response.send_modal(
                    BookingModal.for_slot(outcome.slot, outcome.zone, outcome.question, prefill))
        elif isinstance(outcome, TourBooked):
            await send(embed=booked_embed(outcome), view=booking_view([outcome.ticket.number]), ephemeral=True)
            await self._tell_staff(outcome)
        elif isinstance(outcome, BookingCancelled):
            await send(cancelled_text(outcome.booking, outcome.zone), ephemeral=True)
            when = f"{timestamp(outcome.booking.slot.starts_at)} ({slot_when(outcome.booking.slot, outcome.zone)})"
            await self._staff_note(outcome.booking.ticket_number, f"the student cancelled their tour on {when}")
        else:
            await self.bot.student.render(interaction, outcome)

    async def render_reply(self, message: discord.Message, outcome: ChooseSlot) -> None:
        """The open times under a plain message (in a help channel, anyone may pick one for themselves)."""
        await self.bot.student._reply(message, embed=slots_embed(outcome), view=slots_view(outcome))

    async def _tell_staff(self, booked: TourBooked) -> None:
        """A new booking's ticket card goes to the staff channel like any ticket's; a move updates it."""
        if not booked.moved:
            await self.bot.delivery.post_ticket(booked.ticket)
            return
        slot = booked.booking.slot
        when = f"{timestamp(slot.starts_at)} ({slot_when(slot, booked.zone)})"
        await self._staff_note(booked.ticket.number, f"the student moved their tour to {when}")

    async def _staff_note(self, number: int, what: str) -> None:
        await self.bot.delivery.tell_staff(f"📅 Ticket #{number}: {what}.")
        await self.bot.delivery.refresh(number)

    # -- steps ---------------------------------------------------------------------------------
    def _question(self, interaction: discord.Interaction) -> str:
        """The student's own words from the message the menu is under (never another member's)."""
        if errors.asked_by_someone_else(interaction):
            return TOUR_QUESTION
        return question_from(interaction.message) or TOUR_QUESTION

    async def pick(self, interaction: discord.Interaction, slot_id: int, moving: int | None = None, *,
                   prefill: BookingDetails | None = None, question: str | None = None) -> None:
        """A time picked from a menu (or the 'open the booking form' button)."""
        if await self.bot.student._refused(interaction):
            return
        asker = asker_from_interaction(interaction)
        words = question if question is not None else self._question(interaction)
        outcome = await self.bot.student._turn(interaction, self.dialogue.pick, asker, slot_id, words, moving)
        await self.render(interaction, outcome, prefill=prefill)

    async def no_time(self, interaction: discord.Interaction) -> None:
        """None of these times: the free-text request form (the cap was checked when the times were shown)."""
        if await self.bot.student._refused(interaction):
            return
        await self.render(interaction, self.dialogue.none_of_these(self._question(interaction)))

    async def submit(self, interaction: discord.Interaction, slot: TourSlot, details: BookingDetails,
                     question: str) -> None:
        """Book at once; a refusal keeps what was typed, a time that filled up offers the others with it."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        refusal = self.bot.student._allowed(interaction.user.id)
        asker = asker_from_interaction(interaction)
        outcome: Outcome = (Refused(refusal) if refusal else
                            await asyncio.to_thread(self.dialogue.book, asker, slot.id, details, question))
        if isinstance(outcome, Refused):
            typed = (f"\n\nWhat you entered:\nName: {details.name}\nEmail: {details.email}\n"
                     f"Visitors: {details.visitors}\nNotes: {details.notes or '-'}")
            await interaction.followup.send(clip(f"{outcome.reason}{typed}", MESSAGE_CHARS), ephemeral=True,
                                            view=FixBookingView(slot, self.dialogue.tours.zone, details, question))
            return
        await self.render(interaction, outcome, prefill=details)

    async def cancel(self, interaction: discord.Interaction, number: int) -> None:
        if await self.bot.student._refused(interaction):
            return
        asker = asker_from_interaction(interaction)
        await self.render(interaction, await self.bot.student._turn(interaction, self.dialogue.cancel, asker, number))

    async def move_choices(self, interaction: discord.Interaction, number: int) -> None:
        if await self.bot.student._refused(interaction):
            return
        asker = asker_from_interaction(interaction)
        outcome = await self.bot.student._turn(interaction, self.dialogue.move_choices, asker, number)
        await self.render(interaction, outcome)

    async def show_bookings(self, interaction: discord.Interaction, asker: Asker) -> None:
        """/mytickets: the upcoming tours, each with Cancel and Move (after the tickets were shown)."""
        bookings = await asyncio.to_thread(self.dialogue.bookings, asker)
        if bookings:
            await interaction.followup.send(embed=my_bookings_embed(bookings[:5], self.dialogue.tours.zone),
                                            view=booking_view(bookings[:5]), ephemeral=True)
