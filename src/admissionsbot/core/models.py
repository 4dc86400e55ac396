"""Core value types shared by the knowledge base, matcher, queue and adapters.

Plain frozen dataclasses and enums only: adapters (console, Discord) and
storage drivers exchange these, so none of them may depend on a platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class EntryKind(str, Enum):
    """What the bot does when an FAQ entry is the confident match."""

    ANSWER = "answer"  # reply with the entry's answer
    TOUR = "tour"  # start the campus-tour request flow
    HANDOFF = "handoff"  # always route to staff (tuition, aid, dates ...)
    SMALLTALK = "smalltalk"  # short reply, no ticket


@dataclass(frozen=True)
class Entry:
    """One FAQ entry as loaded from `faq/*.yaml`."""

    id: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    source: str
    kind: EntryKind = EntryKind.ANSWER
    min_score: float | None = None  # per-entry confidence floor, overrides the global one
    file: str = ""
    line: int = 0

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The canonical question first, then every alternate phrasing."""
        return (self.question, *self.alternates)


@dataclass(frozen=True)
class Candidate:
    """One ranked FAQ entry for a question; score is 0-100."""

    entry_id: str
    score: float


class Action(str, Enum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    ESCALATE = "escalate"
    TOUR = "tour"
    SMALLTALK = "smalltalk"


@dataclass(frozen=True)
class Decision:
    """What to do with one incoming question (pure; no ticket is created here)."""

    question: str
    action: Action
    entry: Entry | None = None  # the matched entry (answer/tour/smalltalk/handoff)
    score: float = 0.0
    candidates: tuple[Candidate, ...] = ()
    choices: tuple[Entry, ...] = ()  # "did you mean" options for CLARIFY
    reason: str = ""  # why: "confident", "close call", "no match", "handoff", "empty" ...

    @property
    def answer(self) -> str | None:
        if self.action in (Action.ANSWER, Action.SMALLTALK) and self.entry is not None:
            return self.entry.answer
        return None


class TicketKind(str, Enum):
    QUESTION = "question"
    TOUR = "tour"


class FiledReason(str, Enum):
    """Why a ticket exists: staff read a rejected answer differently from a plain miss."""

    NO_MATCH = "no match"  # the bot had no answer and the student agreed to pass it on
    HANDOFF = "handoff"  # a topic only staff answer (tuition, dates, ...)
    ASKED = "asked for a person"  # "talk to a person" / "Talk to admissions"
    NONE_OF_THESE = "none of these"  # the "did you mean" choices all missed
    REJECTED_ANSWER = "not what I asked"  # the student rejected the answer shown
    TOO_LONG = "too long"  # a message too long to match on
    TOUR = "tour"  # a campus-tour request


class TicketStatus(str, Enum):
    OPEN = "open"
    CLAIMED = "claimed"
    ANSWERED = "answered"
    CLOSED = "closed"


@dataclass(frozen=True)
class Asker:
    """Who asked and where, in platform-neutral terms.

    `platform` is "console" or "discord"; ids are strings so no adapter's id
    type leaks into storage. `location` is where to reply when a private
    message is impossible (a channel id); `link` is a jump URL for staff.
    """

    platform: str
    user_id: str
    display_name: str
    location: str = ""
    link: str = ""
    private: bool = False  # asked in a DM / private context


@dataclass(frozen=True)
class TourContact:
    name: str
    email: str
    preferred_times: str
    notes: str = ""


@dataclass(frozen=True)
class Staff:
    """A staff member: the platform and the user id are who they are; `name` is how they are shown.

    Two values are equal when platform and id are, whatever the names: a member who
    changes their username is the same person and keeps their claims. `name` is the
    latest name the store saw (see core/staff.py for the "cli" platform of `--as NAME`).
    """

    platform: str
    user_id: str
    name: str = field(default="", compare=False)

    @property
    def key(self) -> str:
        """How the store refers to them in tickets, replies and events: "platform:user_id"."""
        return f"{self.platform}:{self.user_id}"

    def __str__(self) -> str:
        return self.name or self.key


@dataclass(frozen=True)
class Reply:
    """A staff reply; `delivered_at` stays None until the student has it."""

    id: int
    ticket_number: int
    author: Staff
    text: str
    created_at: datetime
    delivered_at: datetime | None = None
    delivery_attempts: int = 0
    last_error: str = ""


@dataclass(frozen=True)
class FollowUp:
    """A student's answer to a staff reply: added to the ticket, never a new one."""

    id: int
    ticket_number: int
    text: str
    created_at: datetime
    notified_at: datetime | None = None  # the claimer was told in the staff channel


@dataclass(frozen=True)
class TicketEvent:
    ticket_number: int
    at: datetime
    actor: str  # as stored: a staff key ("discord:6000"), "bot", or the asker's name for `created`
    action: str  # created, claimed, replied, closed, reply_delivered, delivery_failed, staff_posted
    detail: str = ""
    by: Staff | None = field(default=None, compare=False)  # the staff member `actor` names, with their name now


@dataclass(frozen=True)
class Ticket:
    number: int
    kind: TicketKind
    status: TicketStatus
    asker: Asker
    question: str
    created_at: datetime
    updated_at: datetime
    candidates: tuple[Candidate, ...] = ()
    contact: TourContact | None = None
    claimed_by: Staff | None = None
    close_reason: str | None = None
    staff_post_ref: str | None = None  # adapter's reference to the staff-channel post
    reason: FiledReason | None = None  # why it was filed (None on tickets older than schema v3)
    rejected_entry: str | None = None  # the FAQ answer the student said was not what they asked
    replies: tuple[Reply, ...] = ()
    events: tuple[TicketEvent, ...] = field(default=(), compare=False)
    followups: tuple[FollowUp, ...] = ()  # the student's answers to staff replies, oldest first
    # bookkeeping of hand-over, reminders and retention (schema v8; None on older rows where unknown)
    open_since: datetime | None = None  # when it last became open: unclaimed reminders count from here
    claimed_at: datetime | None = None  # the claim, or the claimer's latest reply: release_after_hours
    waiting_since: datetime | None = None  # the student's latest message still unanswered
    closed_at: datetime | None = None
    reminded_at: datetime | None = None  # the latest reminder about it in the staff channel
    reminders: int = 0
    purged_at: datetime | None = None  # personal data removed (privacy forget, retention_days)


@dataclass(frozen=True)
class NewTicket:
    """What the service hands the store to create a ticket."""

    kind: TicketKind
    asker: Asker
    question: str
    candidates: tuple[Candidate, ...] = ()
    contact: TourContact | None = None
    reason: FiledReason | None = None
    rejected_entry: str | None = None


@dataclass(frozen=True)
class FeedbackTally:
    """How students rated one FAQ answer ("Helpful" / "Not what I asked")."""

    entry_id: str
    helpful: int
    not_helpful: int
