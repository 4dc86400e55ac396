"""How campus tour slots and bookings look on Discord, within Discord's limits.

Every time is shown twice: in the school's time zone, as text ("Tue 8 Dec,
14:00–15:00 CET"), and as a Discord timestamp (`<t:UNIX:F>`), which each
student's app shows in their own time zone. Select menu options cannot render
timestamps, so their labels carry the school's time alone (at most 100
characters; a menu holds 25 options, the most core.tours ever offers).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from ...core.desk import TOUR_QUESTION
from ...core.models import Ticket
from ...core.outcomes import ChooseSlot, TourBooked
from ...core.tours import NoticeKind, TourBooking, TourNotice, TourSlot, places_left, slot_when
from .embeds import (
    ANSWER_COLOUR,
    CLARIFY_COLOUR,
    DESCRIPTION_CHARS,
    FIELD_VALUE_CHARS,
    MESSAGE_CHARS,
    QUESTION_PREFIX,
    clip,
    fit,
)

#: Discord's limits on a select menu option.
OPTION_LABEL_CHARS = OPTION_DESCRIPTION_CHARS = 100
MODAL_TITLE_CHARS = 45
#: Slots listed one per line in an embed description before it is cut.
LISTED = 25


def timestamp(at: datetime, style: str = "F") -> str:
    """A Discord timestamp: each reader sees `at` in their own time zone ("F": weekday, date and time)."""
    return f"<t:{int(at.timestamp())}:{style}>"


def slot_line(slot: TourSlot, zone: ZoneInfo, number: int | None = None) -> str:
    lead = f"**{number}.** " if number is not None else ""
    note = f" · {slot.note}" if slot.note else ""
    return f"{lead}{timestamp(slot.starts_at)} · {slot_when(slot, zone)} · {places_left(slot)}{note}"


def option_label(slot: TourSlot, zone: ZoneInfo) -> str:
    return clip(slot_when(slot, zone, year=False), OPTION_LABEL_CHARS)


def option_description(slot: TourSlot) -> str:
    return clip(" · ".join(p for p in (places_left(slot), slot.note) if p), OPTION_DESCRIPTION_CHARS)


def form_title(slot: TourSlot, zone: ZoneInfo) -> str:
    """The booking form's title: 'Book: Tue 8 Dec, 14:00' (modal titles hold 45 characters)."""
    start = slot.starts_at.astimezone(zone)
    return clip(f"Book the tour: {start:%a} {start.day} {start:%b}, {start:%H:%M}", MODAL_TITLE_CHARS)


def slots_embed(outcome: ChooseSlot) -> discord.Embed:
    """The open times, each with its Discord timestamp; the student's words in the footer (read back later)."""
    title = "Move your campus tour" if outcome.moving is not None else "Book a campus tour"
    lines = [outcome.intro, ""] if outcome.intro else []
    lines += [slot_line(s, outcome.zone, i) for i, s in enumerate(outcome.slots[:LISTED], 1)]
    lines.append(f"\nTimes are in the school's time zone ({outcome.zone.key}); the first one on each line is "
                 "in yours.")
    embed = discord.Embed(title=title, description=clip("\n".join(lines), DESCRIPTION_CHARS), colour=CLARIFY_COLOUR)
    if outcome.moving is None and outcome.question and outcome.question != TOUR_QUESTION:
        embed.set_footer(text=clip(QUESTION_PREFIX + outcome.question, 2048))
    return fit(embed)


def booked_embed(outcome: TourBooked) -> discord.Embed:
    """Ephemeral: the confirmation, with the time, the visitors, the note and how to cancel or move."""
    booking, ticket = outcome.booking, outcome.ticket
    slot = booking.slot
    title = "Your tour is moved" if outcome.moved else "Your campus tour is booked"
    lines = [f"{timestamp(slot.starts_at)} (your time)", f"{slot_when(slot, outcome.zone)} (the school's time)",
             f"{booking.visitors} visitor{'' if booking.visitors == 1 else 's'} · ticket **#{ticket.number}**"]
    if slot.note:
        lines.append(f"Note from the admissions team: {slot.note}")
    if outcome.reminder_hours:
        lines.append(f"I'll send you a reminder by DM {outcome.reminder_hours:g} hours before.")
    lines.append("To cancel or move it: the buttons below, or `/mytickets` any time.")
    embed = discord.Embed(title=title, description=clip("\n".join(lines), DESCRIPTION_CHARS), colour=ANSWER_COLOUR)
    contact = ticket.contact
    if contact is not None:
        embed.add_field(name="Name", value=clip(contact.name, FIELD_VALUE_CHARS))
        embed.add_field(name="Email", value=clip(contact.email, FIELD_VALUE_CHARS))
    return fit(embed)


def cancelled_text(booking: TourBooking, zone: ZoneInfo) -> str:
    return clip(f"Your campus tour on {timestamp(booking.slot.starts_at)} ({slot_when(booking.slot, zone)}) is "
                f"cancelled (ticket #{booking.ticket_number}). Book another time any time with `/tour`.",
                MESSAGE_CHARS)


def my_bookings_embed(bookings: Sequence[TourBooking], zone: ZoneInfo) -> discord.Embed:
    lines = [f"**#{b.ticket_number}** · {timestamp(b.slot.starts_at)} · {slot_when(b.slot, zone)} · "
             f"{b.visitors} visitor{'' if b.visitors == 1 else 's'}" for b in bookings]
    return discord.Embed(title="Your campus tours", description=clip("\n".join(lines), DESCRIPTION_CHARS),
                         colour=ANSWER_COLOUR)


def notice_embed(notice: TourNotice, zone: ZoneInfo, others: Sequence[TourSlot]) -> discord.Embed:
    """The DM a booked student gets once: the reminder, or the cancellation with the other open times."""
    booking = notice.booking
    slot = booking.slot
    when = f"{timestamp(slot.starts_at)} ({slot_when(slot, zone)})"
    if notice.kind is NoticeKind.REMINDER:
        lines = [f"See you soon: your campus tour is on {when}, "
                 f"{booking.visitors} visitor{'' if booking.visitors == 1 else 's'} (ticket #{booking.ticket_number})."]
        if slot.note:
            lines.append(f"Note from the admissions team: {slot.note}")
        lines.append("Can't make it? Cancel or move it with `/mytickets`.")
        title = "Reminder: your campus tour"
    else:
        reason = f" Reason: {slot.cancel_reason}" if slot.cancel_reason else ""
        lines = [f"Sorry: the campus tour on {when} has been cancelled, so your booking "
                 f"#{booking.ticket_number} is off.{reason}"]
        if others:
            lines += ["", "These times are open; pick one below to book again:"]
            lines += [slot_line(s, zone) for s in others[:LISTED]]
        else:
            lines.append("No other times are open right now: use `/tour` to tell us which times would suit you.")
        title = "Your campus tour was cancelled"
    return fit(discord.Embed(title=title, description=clip("\n".join(lines), DESCRIPTION_CHARS),
                             colour=ANSWER_COLOUR))


# -- staff --------------------------------------------------------------------------------------
def slot_list_embed(slots: Sequence[TourSlot], zone: ZoneInfo, title: str) -> discord.Embed:
    if not slots:
        return discord.Embed(title=title, description="No tour slots. Add one with `/tours add`.",
                             colour=ANSWER_COLOUR)
    lines = []
    for s in slots:
        state = "**CANCELLED**" if s.cancelled else places_left(s)
        lines.append(f"**#{s.id}** · {timestamp(s.starts_at, 'f')} · {slot_when(s, zone)} · "
                     f"{s.booked}/{s.capacity} booked · {state}" + (f" · {clip(s.note, 60)}" if s.note else ""))
    return discord.Embed(title=title, description=clip("\n".join(lines), DESCRIPTION_CHARS), colour=ANSWER_COLOUR)


def roster_embed(slot: TourSlot, roster: Sequence[tuple[Ticket, TourBooking]], zone: ZoneInfo) -> discord.Embed:
    """Staff only (ephemeral): who booked, with contact details."""
    head = [f"{timestamp(slot.starts_at)} · {slot_when(slot, zone)} · {slot.length_minutes} minutes",
            f"{slot.booked} of {slot.capacity} places booked ({places_left(slot)})"]
    if slot.note:
        head.append(f"Note: {slot.note}")
    if slot.cancelled:
        head.append("**CANCELLED**" + (f": {slot.cancel_reason}" if slot.cancel_reason else ""))
    lines = []
    for ticket, booking in roster:
        c = ticket.contact
        who = f"{c.name} <{c.email}>" if c is not None else ticket.asker.display_name
        notes = f" · notes: {clip(c.notes, 100)}" if c is not None and c.notes else ""
        lines.append(f"**#{ticket.number}** · {who} · {booking.visitors} · {booking.status.value}{notes}")
    text = "\n".join([*head, "", "**Bookings** (ticket · who · visitors · state)", *(lines or ["None yet."])])
    return fit(discord.Embed(title=f"Tour slot #{slot.id}", description=clip(text, DESCRIPTION_CHARS),
                             colour=ANSWER_COLOUR))
