"""Tour booking in the terminal: how open times, bookings and notices read in `admissionsbot chat`.

Text only. The open times are a numbered list ("0" is none of these times:
the free-text request); picking one starts the booking form (name, email,
number of visitors, notes); `tickets` lists the student's upcoming bookings,
which `cancel N` and `move N` act on. Every decision comes from the
conversation layer (Conversation.tours); reminders and cancellation notices
are shown in the chat, each once, like staff replies.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..core.errors import AdmissionsError
from ..core.limits import TOUR_VISITORS_MAX
from ..core.outcomes import BookingCancelled, ChooseSlot, OpenBookingForm, Outcome, TourBooked
from ..core.tours import (
    BookingDetails,
    NoticeKind,
    TourBooking,
    TourNotice,
    places_left,
    slot_when,
)

if TYPE_CHECKING:
    from ..core.tour_dialogue import TourDialogue
    from .console import ConsoleChat

INDENT = "\n     "
BOOKING_STEPS: tuple[tuple[str, str], ...] = (
    ("name", "What's your name?"),
    ("email", "What email should the confirmation go to?"),
    ("visitors", f"How many visitors, you included? (1-{TOUR_VISITORS_MAX})"),
    ("notes", "Anything else we should know? (or type 'no')"),
)
#: "cancel 12", "move tour 12", "cancel booking #12": acting on a booking listed by `tickets`.
COMMAND = re.compile(r"^(cancel|move)\s+(?:(?:my\s+)?(?:tour|booking)\s+)?#?([0-9]{1,18})$")
#: How long a session holds a notice it is printing (a crashed session's hold ends then).
SHOW_LEASE_SECONDS = 60.0
TOUR_OUTCOMES = (ChooseSlot, OpenBookingForm, TourBooked, BookingCancelled)


def slots_text(outcome: ChooseSlot) -> str:
    """The numbered list of open times; "0" keeps the booking (moving) or asks in words (booking)."""
    lines = [outcome.intro] if outcome.intro else []
    for i, slot in enumerate(outcome.slots, 1):
        note = f" - {slot.note}" if slot.note else ""
        lines.append(f"  {i}. {slot_when(slot, outcome.zone)} ({places_left(slot)}){note}")
    lines.append("  0. " + ("Keep my booking as it is" if outcome.moving is not None
                            else "None of these times: tell the admissions team what suits you"))
    return "\n".join(lines) + f"{INDENT}Type a number."


def booked_text(outcome: TourBooked) -> str:
    booking, ticket = outcome.booking, outcome.ticket
    what = "Moved" if outcome.moved else "Booked"
    visitors = f"{booking.visitors} visitor{'' if booking.visitors == 1 else 's'}"
    text = (f"{what}! Your campus tour is on {slot_when(booking.slot, outcome.zone)} for {visitors} "
            f"(ticket #{ticket.number}).")
    if booking.slot.note:
        text += f"{INDENT}Note from the admissions team: {booking.slot.note}"
    if outcome.reminder_hours:
        text += f"{INDENT}I'll remind you {outcome.reminder_hours:g} hours before."
    return text + f"{INDENT}To cancel or move it: type 'cancel {ticket.number}' or 'move {ticket.number}'."


def bookings_lines(bookings: list[TourBooking], zone: ZoneInfo) -> list[str]:
    lines = [f"  tour #{b.ticket_number}: {slot_when(b.slot, zone)}, {b.visitors} visitor"
             f"{'' if b.visitors == 1 else 's'} - type 'cancel {b.ticket_number}' or 'move {b.ticket_number}'"
             for b in bookings]
    return ["Your upcoming campus tours:", *lines] if lines else []


def notice_text(notice: TourNotice, chat: ConsoleChat) -> str:
    zone = chat.conversation.tours.tours.zone
    booking = notice.booking
    when = slot_when(booking.slot, zone)
    if notice.kind is NoticeKind.REMINDER:
        return f"Reminder: your campus tour is on {when} (ticket #{booking.ticket_number}). See you there!"
    reason = f" ({booking.slot.cancel_reason})" if booking.slot.cancel_reason else ""
    others = chat.conversation.tours.tours.open_slots()
    text = f"Sorry: the campus tour on {when} was cancelled{reason}. Your booking #{booking.ticket_number} is off."
    if others:
        return text + f"{INDENT}Other times are open: type 'tour' to pick one."
    return text + f"{INDENT}No other times are open right now: type 'tour' to tell us what would suit you."


class ConsoleTours:
    """The console chat's tour part (see the module docstring)."""

    def __init__(self, chat: ConsoleChat) -> None:
        self.chat = chat
        self._kept: dict[str, str] = {}  # what was typed into a booking whose time filled up meanwhile

    @property
    def dialogue(self) -> TourDialogue:
        return self.chat.conversation.tours

    def render(self, outcome: Outcome) -> None:
        if isinstance(outcome, ChooseSlot):
            self.chat.say(slots_text(outcome))
        elif isinstance(outcome, OpenBookingForm):
            self.chat.start_booking(outcome, dict(self._kept))
            self._kept = {}
        elif isinstance(outcome, TourBooked):
            self.chat.say(booked_text(outcome))
        elif isinstance(outcome, BookingCancelled):
            when = slot_when(outcome.booking.slot, outcome.zone)
            self.chat.say(f"Your campus tour on {when} is cancelled (ticket #{outcome.booking.ticket_number}). "
                          "Type 'tour' any time to book another.")

    def command(self, word: str) -> bool:
        """`cancel N` / `move N`: act on a booking; False when `word` is not such a command."""
        found = COMMAND.fullmatch(word)
        if found is None:
            return False
        action, number = found[1], int(found[2])
        asker = self.chat.asker
        if action == "cancel":
            self.chat.render(self.dialogue.cancel(asker, number))
        else:
            self.chat.render(self.dialogue.move_choices(asker, number))
        return True

    def submit(self, question: str, slot_id: int, answers: dict[str, str]) -> Outcome:
        """Book with what was typed; a time that filled up keeps the answers for the next pick."""
        details = BookingDetails(answers["name"], answers["email"], answers["visitors"], answers.get("notes", ""))
        outcome = self.dialogue.book(self.chat.asker, slot_id, details, question)
        if isinstance(outcome, ChooseSlot):
            self._kept = dict(answers)
        return outcome

    def booking_lines(self) -> list[str]:
        return bookings_lines(self.dialogue.bookings(self.chat.asker), self.dialogue.tours.zone)

    def show_notices(self) -> None:
        """Reminders and cancellation notices due for this student, each shown in one session only
        (leased first, like staff replies: shown twice at worst after a crash, never lost)."""
        tours = self.dialogue.tours
        try:
            notices = tours.take_notices(self.chat._owner, SHOW_LEASE_SECONDS, asker=self.chat.asker)
        except AdmissionsError:
            return  # checked again at the next turn
        for i, notice in enumerate(notices):
            try:
                self.chat.say(notice_text(notice, self.chat))
            except BaseException:
                for rest in notices[i:]:
                    try:
                        tours.release_notice(rest, self.chat._owner)
                    except AdmissionsError:
                        pass  # its lease ends by itself
                raise
            try:
                tours.notice_sent(notice)
            except AdmissionsError:
                return
