"""What one student turn comes to: the values front ends render.

The conversation layer returns exactly one of these per turn; the console and
Discord only turn them into text, embeds and buttons. A new front end (a web
widget, another chat platform) is a renderer of these and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from .models import Candidate, Entry, Ticket
from .tours import TourBooking, TourSlot


@dataclass(frozen=True)
class Answered:
    """A confident answer from the FAQ; `source_title` is a human title ("" shows none)."""

    question: str
    entry: Entry
    source_title: str = ""
    score: float | None = None  # the matcher's score for the entry (None: picked, not matched)


@dataclass(frozen=True)
class Clarify:
    """ "Did you mean" choices; "None of these" files the question for staff."""

    question: str
    choices: tuple[Entry, ...]
    intro: str
    rejected_entry: str | None = None  # offered after "not what I asked" on this entry
    score: float | None = None  # the top choice's matcher score


@dataclass(frozen=True)
class OfferStaff:
    """The bot has no answer: it offers to pass the question on (nothing is filed yet)."""

    question: str
    message: str
    candidates: tuple[Candidate, ...] = ()
    rejected_entry: str | None = None  # the answer the student said missed, if that is how we got here


@dataclass(frozen=True)
class TicketFiled:
    """A ticket was persisted; `lead` says why (never claims "no answer" after a rejected one)."""

    ticket: Ticket
    lead: str
    closed_note: str = ""  # when the office is closed: when it opens again
    new: bool = True  # False: the same question was already open; nothing new for staff


@dataclass(frozen=True)
class OpenTourForm:
    """Collect the tour details (name, email, preferred times, notes); the cap was checked first."""

    question: str
    intro: str = ""


@dataclass(frozen=True)
class SmallTalk:
    text: str


@dataclass(frozen=True)
class Nudge:
    """Not a question (chatter, a stray "yes"): a hint on what the bot can do; nothing is filed."""

    text: str


@dataclass(frozen=True)
class Refused:
    """The turn cannot go ahead (cap reached, bad input); `keep_pending`: the open question stays open."""

    reason: str
    keep_pending: bool = False


# -- campus tours by slot (core/tour_dialogue.py) -----------------------------------------------------
def _utc() -> ZoneInfo:
    return ZoneInfo("UTC")


@dataclass(frozen=True)
class ChooseSlot:
    """Open tour times to pick from, soonest first, or "none of these times" (the free-text request).

    `moving`: the booking (its ticket number) being moved; "none of these" then keeps it as it is.
    `zone`: the school's time zone, in which times are shown.
    """

    question: str
    slots: tuple[TourSlot, ...]
    intro: str = ""
    moving: int | None = None
    zone: ZoneInfo = field(default_factory=_utc)


@dataclass(frozen=True)
class OpenBookingForm:
    """A time was picked: collect name, email, number of visitors, notes (no place is held yet)."""

    slot: TourSlot
    question: str
    zone: ZoneInfo = field(default_factory=_utc)


@dataclass(frozen=True)
class TourBooked:
    """The booking is stored and confirmed (or `moved` to its new time); the ticket carries the contact."""

    ticket: Ticket
    booking: TourBooking
    zone: ZoneInfo = field(default_factory=_utc)
    moved: bool = False
    reminder_hours: float = 0.0  # a reminder comes this long before (0: none will)


@dataclass(frozen=True)
class BookingCancelled:
    """The student gave their places back; its ticket is closed."""

    booking: TourBooking
    zone: ZoneInfo = field(default_factory=_utc)


Outcome = (Answered | Clarify | OfferStaff | TicketFiled | OpenTourForm | SmallTalk | Nudge | Refused
           | ChooseSlot | OpenBookingForm | TourBooked | BookingCancelled)


@dataclass(frozen=True)
class Pending:
    """What the last outcome left open, for front ends that take the next reply as text.

    Buttons carry this state in their custom ids; the console (and any text-only
    front end) keeps one Pending per student and passes it back on each turn.
    """

    question: str = ""
    answered: str | None = None  # the entry id of the answer just shown
    choices: tuple[Entry, ...] = ()
    offer: OfferStaff | None = None
    rejected_entry: str | None = None  # carried through choices offered after "not what I asked"
    slots: tuple[TourSlot, ...] = ()  # tour times offered by number (0: none of these)
    moving: int | None = None  # the booking those times would move


def pending_after(outcome: Outcome, before: Pending | None = None) -> Pending:
    """The Pending a text front end keeps after showing `outcome`."""
    if isinstance(outcome, Answered):
        return Pending(question=outcome.question, answered=outcome.entry.id)
    if isinstance(outcome, Clarify):
        return Pending(question=outcome.question, choices=outcome.choices, rejected_entry=outcome.rejected_entry)
    if isinstance(outcome, OfferStaff):
        return Pending(question=outcome.question, offer=outcome)
    if isinstance(outcome, ChooseSlot):
        return Pending(question=outcome.question, slots=outcome.slots, moving=outcome.moving)
    if isinstance(outcome, Refused) and outcome.keep_pending and before is not None:
        return before
    return Pending()
