"""The tour part of the dialogue: what each step of booking a campus tour comes to.

Part of the conversation layer (Conversation.tours; Conversation.request_tour
hands over here once the open-ticket cap is checked), kept in its own module so
core/conversation.py stays about questions. Every front end calls these and
renders the Outcome; none decides:

- asking for a tour: the open times of the next `tour_days_ahead` days to pick
  from (ChooseSlot), or, when none is open, today's free-text request form;
- a time picked: the booking form (OpenBookingForm); "none of these times": the
  free-text request form;
- the form sent: booked and confirmed at once (TourBooked), or, when the time
  filled up meanwhile, told so with the other open times (ChooseSlot again);
- cancel (BookingCancelled) and move (ChooseSlot with `moving`, then TourBooked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .desk import TOUR_QUESTION
from .errors import AdmissionsError, InvalidInput, TransitionError
from .models import Asker
from .outcomes import (
    BookingCancelled,
    ChooseSlot,
    Nudge,
    OpenBookingForm,
    OpenTourForm,
    Outcome,
    Pending,
    Refused,
    TourBooked,
)
from .records import TurnKind
from .tour_desk import TourDesk
from .tours import (
    AlreadyBooked,
    BookingDetails,
    BookingNotFound,
    SlotNotFound,
    SlotUnavailable,
    TourBooking,
    bookable,
    slot_when,
    unavailable_reason,
)
from .turns import TurnLog, student_turn

PICK_A_TIME = "Pick a time for your campus tour, or choose \"none of these times\" to tell us what would suit you."
NONE_FIT = ("Tell us which dates and times would suit you, and the admissions team will get back to you "
            "to arrange your tour.")
OTHERS = "Here are the other open times:"
GONE = "That tour time no longer exists."


class TourDialogue:
    def __init__(self, tours: TourDesk, check_cap: Callable[[Asker], None] | None = None,
                 turn_log: TurnLog | None = None) -> None:
        self.tours = tours
        self._check_cap = check_cap  # the ticket desk's early, friendly cap check (filing re-checks)
        self.turn_log = turn_log  # picks and bookings are student turns too (core/turns.py): a booking is filed

    @property
    def days_ahead(self) -> int:
        return self.tours.rules.days_ahead

    # -- a new booking ---------------------------------------------------------------------
    def offer(self, question: str = TOUR_QUESTION, intro: str = "") -> Outcome:
        """The open times to pick from, or the free-text request when none is open (cap already checked)."""
        slots = self.tours.open_slots()
        if not slots:
            return OpenTourForm(question, intro)
        lead = f"{intro}\n\n{PICK_A_TIME}" if intro else PICK_A_TIME
        return ChooseSlot(question, slots, lead, zone=self.tours.zone)

    @student_turn(TurnKind.TOUR_REQUEST, "question")
    def pick(self, asker: Asker, slot_id: int, question: str = TOUR_QUESTION, moving: int | None = None) -> Outcome:
        """A time was picked: the booking form (or, when moving a booking, the move itself)."""
        if moving is not None:
            return self.move(asker, moving, slot_id)
        try:
            slot = self.tours.slot(slot_id)
        except SlotNotFound:
            return self._others(question, GONE)
        if not bookable(slot, self.tours.now()):
            return self._others(question, unavailable_reason(slot, self.tours.now(), 1, self.tours.zone), slot_id)
        if self._check_cap is not None:
            try:
                self._check_cap(asker)
            except AdmissionsError as exc:
                return Refused(str(exc))
        return OpenBookingForm(slot, question or TOUR_QUESTION, zone=self.tours.zone)

    def none_of_these(self, question: str = TOUR_QUESTION, moving: int | None = None) -> Outcome:
        """No time suits: the free-text request (or, when moving, the booking stays as it is)."""
        if moving is not None:
            return Nudge("OK, your tour booking stays as it is.")
        return OpenTourForm(question or TOUR_QUESTION, NONE_FIT)

    @student_turn(TurnKind.TOUR_SUBMIT, "question")
    def book(self, asker: Asker, slot_id: int, details: BookingDetails, question: str = TOUR_QUESTION) -> Outcome:
        """Book at once; a time that filled up meanwhile is said so, with the other open times."""
        try:
            ticket, booking = self.tours.book(asker, slot_id, details, question)
        except SlotNotFound:
            return self._others(question, GONE)
        except SlotUnavailable as exc:
            visitors = int(details.visitors) if details.visitors.strip().isdigit() else 1
            why = unavailable_reason(exc.slot, self.tours.now(), visitors, self.tours.zone)
            return self._others(question, why, exc.slot.id, visitors)
        except AlreadyBooked as exc:
            return Refused(f"{exc} You can cancel or move it from your tickets.")
        except InvalidInput as exc:  # a bad email or number of visitors, the open-ticket cap
            return Refused(str(exc))
        return TourBooked(ticket, booking, self.tours.zone, reminder_hours=self._reminder_hours(booking))

    def _others(self, question: str, why: str, exclude: int | None = None, visitors: int = 1) -> Outcome:
        """`why` this time cannot be booked, then the other open times with room for `visitors` (or the
        free-text request)."""
        slots = tuple(s for s in self.tours.open_slots(exclude=exclude) if s.remaining >= visitors)
        if not slots:
            return OpenTourForm(question or TOUR_QUESTION, f"{why} No other times are open in the next "
                                f"{self.days_ahead} days. {NONE_FIT}")
        return ChooseSlot(question or TOUR_QUESTION, slots, f"{why} {OTHERS}", zone=self.tours.zone)

    def _reminder_hours(self, booking: TourBooking) -> float:
        return self.tours.rules.reminder_hours if booking.remind_at is not None else 0.0

    # -- an existing booking -------------------------------------------------------------------
    def bookings(self, asker: Asker) -> list[TourBooking]:
        """The asker's live bookings whose tour has not started, soonest first."""
        return self.tours.bookings_for(asker)

    def _own(self, asker: Asker, number: int) -> TourBooking | None:
        return next((b for b in self.bookings(asker) if b.ticket_number == number), None)

    def cancel(self, asker: Asker, number: int) -> Outcome:
        try:
            booking = self.tours.cancel_booking(asker, number)
        except (BookingNotFound, TransitionError) as exc:
            return Refused(str(exc))
        return BookingCancelled(booking, self.tours.zone)

    def move_choices(self, asker: Asker, number: int, question: str = TOUR_QUESTION) -> Outcome:
        """The other open times the booking could move to (with room for its visitors)."""
        booking = self._own(asker, number)
        if booking is None:
            return Refused(f"You have no upcoming tour booking #{number}.")
        when = slot_when(booking.slot, self.tours.zone)
        slots = tuple(s for s in self.tours.open_slots(exclude=booking.slot.id) if s.remaining >= booking.visitors)
        if not slots:
            return Refused(f"No other tour times with room for {booking.visitors} are open in the next "
                           f"{self.days_ahead} days; your booking for {when} stays as it is.")
        return ChooseSlot(question, slots, f"Your tour is booked for {when}. Pick the new time:", moving=number,
                          zone=self.tours.zone)

    def move(self, asker: Asker, number: int, slot_id: int) -> Outcome:
        try:
            booking = self.tours.move_booking(asker, number, slot_id)
        except SlotUnavailable as exc:
            why = unavailable_reason(exc.slot, self.tours.now(), 1, self.tours.zone)
            again = self.move_choices(asker, number)
            if isinstance(again, ChooseSlot):
                return replace(again, intro=f"{why} {OTHERS}")
            return replace(again, reason=f"{why} {again.reason}") if isinstance(again, Refused) else again
        except (SlotNotFound, BookingNotFound, TransitionError) as exc:
            return Refused(str(exc))
        ticket = self.tours.desk.ticket(number)
        return TourBooked(ticket, booking, self.tours.zone, moved=True, reminder_hours=self._reminder_hours(booking))

    # -- typed numbers (the console and any text front end) ------------------------------------
    def pick_by_number(self, asker: Asker, word: str, pending: Pending) -> Outcome:
        """"2" picks the second time listed; "0" (or "none") is none of these times."""
        slots = pending.slots
        if word.isdigit() and 1 <= int(word) <= len(slots):
            return self.pick(asker, slots[int(word) - 1].id, pending.question, pending.moving)
        if word.isdigit() and word != "0":
            return Refused(f"Please type a number from 0 to {len(slots)}.", keep_pending=True)
        return self.none_of_these(pending.question, pending.moving)
