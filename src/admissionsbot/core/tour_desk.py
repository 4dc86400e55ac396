"""Tour slots and bookings over the TicketStore port: what staff and the dialogue call.

It sits beside the ticket desk (and shares its store, clocks and open-ticket
cap) rather than inside it, so the queue's desk stays about tickets. Like the
desk, its methods are synchronous and may block; async adapters call them
through `asyncio.to_thread`. Rules that need no database are in core/tours.py;
capacity is enforced by the store, atomically (storage/tours.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .desk import TOUR_QUESTION, TicketDesk
from .errors import InvalidInput
from .limits import CLOSE_REASON_CHARS, DETAIL_CHARS
from .models import Asker, FiledReason, NewTicket, Staff, Ticket, TicketKind
from .staff import checked_staff, cli_staff
from .textcheck import clean_text, for_storage
from .tours import (
    NOTICE_ATTEMPTS,
    BookingDetails,
    NewTourSlot,
    TourBooking,
    TourNotice,
    TourRules,
    TourSlot,
    booking_details,
    check_booking,
    check_new_slot,
    offered,
    parse_local_time,
    remind_at,
)

#: The close reason of a booking's ticket when the student cancels it.
CANCELLED_BY_STUDENT = "The student cancelled the tour booking."
#: Who publishes or cancels a slot when nobody is named (`admissionsbot tours ... --as` defaults to it).
STAFF = cli_staff("staff")


class TourDesk:
    def __init__(self, desk: TicketDesk, rules: TourRules | None = None) -> None:
        self.desk = desk
        self.store = desk.store
        self.rules = rules or TourRules()

    @property
    def zone(self) -> ZoneInfo:
        return self.rules.zone

    def now(self) -> datetime:
        return self.desk.clock()

    # -- staff -------------------------------------------------------------------------------
    def add_slot(self, when: str | datetime, capacity: int, length_minutes: int = 60, note: str = "",
                 by: Staff = STAFF) -> TourSlot:
        """Publish a slot; `when` as staff type it (in the school's zone) or an aware datetime."""
        starts = parse_local_time(when, self.zone) if isinstance(when, str) else when
        if starts.tzinfo is None:
            raise InvalidInput("A tour's start time needs its time zone.")
        new = NewTourSlot(starts, length_minutes, capacity, note, checked_staff(by).key)
        return self.store.add_tour_slot(check_new_slot(new, self.now()), self.now())

    def slots(self, *, everything: bool = False, limit: int = 200) -> list[TourSlot]:
        """Slots not yet started, cancelled ones included (`everything`: past ones too)."""
        return self.store.tour_slots(None if everything else self.now(), limit=limit)

    def slot(self, slot_id: int) -> TourSlot:
        return self.store.tour_slot(slot_id)

    def roster(self, slot_id: int) -> list[tuple[Ticket, TourBooking]]:
        return self.store.tour_roster(slot_id)

    def cancel_slot(self, slot_id: int, by: Staff = STAFF, reason: str | None = None) -> tuple[TourSlot, list[int]]:
        """Cancel a slot; returns it and the tickets of the students who must be told (sent once, later)."""
        cleaned = clean_text(reason) if reason else ""
        if len(cleaned) > CLOSE_REASON_CHARS:
            raise InvalidInput(f"A cancel reason can be at most {CLOSE_REASON_CHARS} characters.")
        return self.store.cancel_tour_slot(slot_id, checked_staff(by), cleaned or None, self.now())

    # -- students ----------------------------------------------------------------------------
    def open_slots(self, exclude: int | None = None) -> tuple[TourSlot, ...]:
        """What a student is offered now: see core.tours.offered."""
        now = self.now()
        upcoming = self.store.tour_slots(now, now + timedelta(days=self.rules.days_ahead), include_cancelled=False)
        return offered(upcoming, now, self.rules, exclude)

    def book(self, asker: Asker, slot_id: int, details: BookingDetails,
             question: str = TOUR_QUESTION) -> tuple[Ticket, TourBooking]:
        """Check the form, then file the ticket and take the places in one transaction (cap checked too)."""
        slot = self.slot(slot_id)  # its start never changes: the reminder and the details can be worked out now
        contact, visitors = check_booking(details, slot, self.zone)
        now = self.now()
        new = NewTicket(TicketKind.TOUR, asker, for_storage(question) or TOUR_QUESTION, contact=contact,
                        reason=FiledReason.TOUR)
        reminder = remind_at(slot.starts_at, now, self.rules.reminder_hours)
        cap = self.desk.max_live_tickets_per_asker
        return self.store.book_tour(new, slot_id, visitors, now, reminder, max_live=cap)

    def cancel_booking(self, asker: Asker, number: int) -> TourBooking:
        return self.store.cancel_tour_booking(number, asker.platform, asker.user_id,
                                              asker.display_name or asker.user_id, CANCELLED_BY_STUDENT, self.now())

    def move_booking(self, asker: Asker, number: int, slot_id: int) -> TourBooking:
        booking = self.store.tour_booking(number)
        target = self.slot(slot_id)
        now = self.now()
        details = booking_details(target, booking.visitors, self.zone)
        return self.store.move_tour_booking(number, slot_id, asker.platform, asker.user_id, details,
                                            remind_at(target.starts_at, now, self.rules.reminder_hours), now)

    def booking(self, number: int) -> TourBooking:
        return self.store.tour_booking(number)

    def bookings_for(self, asker: Asker, *, upcoming: bool = True) -> list[TourBooking]:
        """The asker's bookings, soonest first; `upcoming`: live ones whose tour has not started."""
        found = self.store.tour_bookings_for(asker.platform, asker.user_id)
        if not upcoming:
            return found
        now = self.now()
        return [b for b in found if b.live and b.slot.starts_at > now]

    # -- reminders and cancellation notices ----------------------------------------------------
    def take_notices(self, owner: str, seconds: float, *, platform: str | None = None, asker: Asker | None = None,
                     limit: int = 20) -> list[TourNotice]:
        """Lease the due notices (one asker's, one platform's, or all) for `seconds` before sending them."""
        lease_now = self.desk.lease_clock()
        user_id = asker.user_id if asker is not None else None
        platform = asker.platform if asker is not None else platform
        return self.store.take_tour_notices(owner, lease_now + timedelta(seconds=seconds), lease_now, self.now(),
                                            platform, user_id, limit, NOTICE_ATTEMPTS)

    def notice_sent(self, notice: TourNotice) -> bool:
        return self.store.tour_notice_sent(notice, self.now())

    def notice_failed(self, notice: TourNotice, error: str, retry_in: float | None = None) -> int:
        retry_at = None if retry_in is None else self.desk.lease_clock() + timedelta(seconds=retry_in)
        return self.store.tour_notice_failed(notice, error[:DETAIL_CHARS], self.now(), retry_at)

    def release_notice(self, notice: TourNotice, owner: str) -> None:
        self.store.release_tour_notice(notice, owner)
