"""Campus tour slots: the pure rules (no database, no Discord).

Staff publish slots: a start in the school's time zone, a length, a capacity
(visitors), an optional note. Students book places in them; each booking is a
ticket of kind tour whose details name the slot, so the queue, the stats and
privacy tools treat it like any other ticket. This module holds what needs no
I/O: reading a time staff typed (daylight saving included: a local time that
does not exist that day, or exists twice, is refused with what to type
instead), which slots a student is offered (open, not started, not full,
within `tour_days_ahead`), when a booking's reminder falls due, how a slot
reads, and the checks on what students and staff type. The store enforces
capacity atomically (storage/tours.py); core/tour_dialogue.py turns these
rules into Outcomes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import AdmissionsError, InvalidInput
from .limits import (
    NAME_CHARS,
    NOTES_CHARS,
    TOUR_CAPACITY_MAX,
    TOUR_LENGTH_MINUTES,
    TOUR_NOTE_CHARS,
    TOUR_SLOTS_SHOWN,
    TOUR_VISITORS_MAX,
    TOUR_WHEN_CHARS,
)
from .models import Ticket, TourContact
from .textcheck import clean_text, require_email, require_field

#: A reminder or cancellation notice that failed this often is given up (the student still sees it in
#: /mytickets or `tickets`); a reminder is also given up once its tour has started.
NOTICE_ATTEMPTS = 5
DEFAULT_DAYS_AHEAD = 14
DEFAULT_REMINDER_HOURS = 24.0


class BookingStatus(str, Enum):
    BOOKED = "booked"
    CANCELLED = "cancelled"  # by the student
    SLOT_CANCELLED = "slot_cancelled"  # staff cancelled the whole slot


class NoticeKind(str, Enum):
    """What the bot must tell a booked student once."""

    REMINDER = "reminder"  # the tour is `tour_reminder_hours` away
    SLOT_CANCELLED = "slot_cancelled"  # staff cancelled the slot: with the other open times


class SlotNotFound(AdmissionsError):
    def __init__(self, slot_id: int) -> None:
        super().__init__(f"There is no tour slot #{slot_id}.")
        self.slot_id = slot_id


class SlotUnavailable(AdmissionsError):
    """The slot cannot take this booking now (full, too few places, cancelled, started); nothing was booked."""

    def __init__(self, slot: TourSlot, why: str) -> None:
        super().__init__(why)
        self.slot = slot


class BookingNotFound(AdmissionsError):
    def __init__(self, number: int) -> None:
        super().__init__(f"You have no tour booking #{number}.")
        self.number = number


class AlreadyBooked(AdmissionsError):
    """The student already holds a place in that slot (a double submit, or booking twice)."""

    def __init__(self, number: int) -> None:
        super().__init__(f"You're already booked for that tour (ticket #{number}).")
        self.number = number


@dataclass(frozen=True)
class NewTourSlot:
    """A slot as staff publish it (checked by `check_new_slot`)."""

    starts_at: datetime  # aware, UTC
    length_minutes: int
    capacity: int
    note: str = ""
    created_by: str = "staff"


@dataclass(frozen=True)
class TourSlot:
    id: int
    starts_at: datetime  # aware, UTC: shown in the school's zone (and as a Discord timestamp)
    length_minutes: int
    capacity: int
    booked: int = 0  # visitors in live bookings
    note: str = ""
    created_by: str = ""
    created_at: datetime | None = field(default=None, compare=False)
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.length_minutes)

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


@dataclass(frozen=True)
class TourBooking:
    """A student's place in a slot; its ticket (same number) holds who, the contact details and the log."""

    ticket_number: int
    slot: TourSlot
    visitors: int
    status: BookingStatus
    booked_at: datetime
    updated_at: datetime
    remind_at: datetime | None = None  # None: no reminder (booked inside the reminder window, or turned off)
    reminded_at: datetime | None = None
    notified_at: datetime | None = None  # the slot-cancelled notice went out
    notice_attempts: int = 0

    @property
    def live(self) -> bool:
        return self.status is BookingStatus.BOOKED


@dataclass(frozen=True)
class TourNotice:
    """A reminder or cancellation notice due for one booking, leased to one sender."""

    kind: NoticeKind
    ticket: Ticket
    booking: TourBooking


@dataclass(frozen=True)
class BookingDetails:
    """The booking form as typed (every front end collects these four); `check_booking` reads it."""

    name: str
    email: str
    visitors: str = "1"
    notes: str = ""


@dataclass(frozen=True)
class TourRules:
    """The school's tour settings: its time zone, how far ahead slots are offered, when reminders go."""

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    days_ahead: int = DEFAULT_DAYS_AHEAD
    reminder_hours: float = DEFAULT_REMINDER_HOURS

    @classmethod
    def parse(cls, timezone: str = "UTC", days_ahead: int = DEFAULT_DAYS_AHEAD,
              reminder_hours: float = DEFAULT_REMINDER_HOURS) -> TourRules:
        """Settings -> rules; a bad value is InvalidInput naming it (config.validate reports it first)."""
        try:
            zone = ZoneInfo(timezone.strip())
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput(f"timezone '{timezone}' is not a known time zone.") from exc
        if not 1 <= days_ahead <= 366:
            raise InvalidInput(f"tour_days_ahead is {days_ahead}; it must be from 1 to 366.")
        if not (math.isfinite(reminder_hours) and 0 <= reminder_hours <= 24 * 14):
            raise InvalidInput(f"tour_reminder_hours is {reminder_hours}; it must be from 0 to 336 (0: none).")
        return cls(zone, days_ahead, reminder_hours)


# -- times -------------------------------------------------------------------------------------
def parse_local_time(text: str, zone: ZoneInfo) -> datetime:
    """A start time as staff type it, in the school's zone -> aware UTC.

    `2026-12-08T14:00` or `2026-12-08 14:00` is read in `zone`; an explicit offset
    (`2026-10-25T02:30+02:00`) is taken as given, which is how to name one of the
    two 02:30s on the night clocks go back. A local time that does not exist (clocks
    go forward) or exists twice is refused: a tour must not start an hour off.
    """
    raw = clean_text(text)
    value: datetime | None = None
    if ":" in raw and len(raw) <= TOUR_WHEN_CHARS:
        try:
            value = datetime.fromisoformat(raw.replace(" ", "T", 1))
        except ValueError:
            value = None
    if value is None:
        raise InvalidInput(f"'{raw[:TOUR_WHEN_CHARS]}' is not a date and time; write it like 2026-12-08T14:00 "
                           f"(in {zone.key}).")
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    first, second = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        shown = f"{value:%Y-%m-%d %H:%M}"
        if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
            raise InvalidInput(f"{shown} does not exist in {zone.key}: the clocks go forward then. "
                               "Pick another time.")
        options = " or ".join(d.isoformat(timespec="minutes") for d in (first, second))
        raise InvalidInput(f"{shown} happens twice in {zone.key} (the clocks go back that night); "
                           f"write it with its offset: {options}.")
    return first.astimezone(UTC)


def slot_when(slot: TourSlot, zone: ZoneInfo, *, year: bool = True) -> str:
    """'Tue 8 Dec 2026, 14:00–15:00 CET': the slot in the school's time, with the zone's abbreviation."""
    start, end = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
    day = f"{start:%a} {start.day} {start:%b}" + (f" {start:%Y}" if year else "")
    end_day = f" ({end:%a})" if end.date() != start.date() else ""
    if end.tzname() != start.tzname():  # the clocks change during the tour: say which 02:30 is meant
        return f"{day}, {start:%H:%M} {start.tzname()}–{end:%H:%M} {end.tzname()}{end_day}"
    return f"{day}, {start:%H:%M}–{end:%H:%M}{end_day} {start.tzname()}"


def places_left(slot: TourSlot) -> str:
    n = slot.remaining
    return "full" if n == 0 else f"{n} place{'' if n == 1 else 's'} left"


def booking_details(slot: TourSlot, visitors: int, zone: ZoneInfo) -> str:
    """The slot as the booking ticket records it (the tour details staff see on the card and in `queue show`)."""
    return f"slot #{slot.id}: {slot_when(slot, zone)}; {visitors} visitor{'' if visitors == 1 else 's'}"


# -- which slots, and when ---------------------------------------------------------------------
def bookable(slot: TourSlot, now: datetime, visitors: int = 1) -> bool:
    """Open to a booking of `visitors` now: not cancelled, not started, places left."""
    return not slot.cancelled and slot.starts_at > now and slot.remaining >= visitors


def offered(slots: Iterable[TourSlot], now: datetime, rules: TourRules,
            exclude: int | None = None) -> tuple[TourSlot, ...]:
    """What a student is offered: bookable slots starting within `days_ahead` days, soonest first.

    A slot that has started (or is in the past) is never offered, nor a full or
    cancelled one; at most TOUR_SLOTS_SHOWN (a Discord select menu's limit).
    """
    until = now + timedelta(days=rules.days_ahead)
    found = [s for s in slots if s.id != exclude and bookable(s, now) and s.starts_at <= until]
    found.sort(key=lambda s: (s.starts_at, s.id))
    return tuple(found[:TOUR_SLOTS_SHOWN])


def remind_at(starts_at: datetime, booked_at: datetime, hours: float) -> datetime | None:
    """When a booking's reminder is due: `hours` before the start. None when reminders are off, or when
    that moment had already passed at booking (the confirmation has just said it all)."""
    if hours <= 0:
        return None
    due = starts_at - timedelta(hours=hours)
    return due if due > booked_at else None


def unavailable_reason(slot: TourSlot, now: datetime, visitors: int, zone: ZoneInfo) -> str:
    """Why `slot` cannot take `visitors` now, in words for the student."""
    when = slot_when(slot, zone)
    if slot.cancelled:
        return f"The tour on {when} has been cancelled."
    if slot.starts_at <= now:
        return f"The tour on {when} has already started."
    if slot.remaining == 0:
        return f"Sorry, the tour on {when} is full now."
    return (f"Sorry, the tour on {when} has only {places_left(slot)}, "
            f"not enough for {visitors} visitors.")


# -- what staff and students type --------------------------------------------------------------
def check_new_slot(slot: NewTourSlot, now: datetime) -> NewTourSlot:
    """Refuse a slot in the past, an odd length or capacity, a long note; the cleaned slot otherwise."""
    low, high = TOUR_LENGTH_MINUTES
    if slot.starts_at <= now:
        raise InvalidInput("That time is in the past; tours can only be added for later times.")
    if not 1 <= slot.capacity <= TOUR_CAPACITY_MAX:
        raise InvalidInput(f"A tour's capacity must be from 1 to {TOUR_CAPACITY_MAX} visitors.")
    if not low <= slot.length_minutes <= high:
        raise InvalidInput(f"A tour's length must be from {low} to {high} minutes.")
    note = require_field(slot.note, "note", TOUR_NOTE_CHARS, required=False)
    return NewTourSlot(slot.starts_at.astimezone(UTC), slot.length_minutes, slot.capacity, note,
                       slot.created_by)


def require_visitors(text: str) -> int:
    value = clean_text(text)
    if not value.isdigit() or not 1 <= int(value) <= TOUR_VISITORS_MAX:
        raise InvalidInput(f"The number of visitors must be a whole number from 1 to {TOUR_VISITORS_MAX} "
                           "(you included).")
    return int(value)


def check_booking(details: BookingDetails, slot: TourSlot, zone: ZoneInfo) -> tuple[TourContact, int]:
    """The contact details the ticket keeps (the slot as its 'when') and the number of visitors."""
    contact = TourContact(
        name=require_field(details.name, "name", NAME_CHARS),
        email=require_email(details.email),
        preferred_times="",
        notes=require_field(details.notes, "notes", NOTES_CHARS, required=False),
    )
    visitors = require_visitors(details.visitors)
    return TourContact(contact.name, contact.email, booking_details(slot, visitors, zone), contact.notes), visitors
