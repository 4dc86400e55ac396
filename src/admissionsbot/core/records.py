"""What the knowledge loop reads back from the store: student turns, ticket timings, digests.

Figures must be counted, not estimated, so every student turn is stored with
its outcome (core/turns.py records it in the conversation layer). A turn keeps
who asked (platform and id, so a privacy request can find it), when, what the
turn was, what came of it, the FAQ entry and score involved and the ticket it
filed; the question's text only while the `record_question_text` setting
allows it (None otherwise). Plain frozen dataclasses, like core/models.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from .models import FiledReason, TicketKind, TicketStatus


class TurnKind(str, Enum):
    """What the student did (one per public entry point of the conversation layer)."""

    QUESTION = "question"  # typed or /ask'ed a question
    MESSAGE = "message"  # a typed reply read against what was open ("yes", "no", "staff" ...)
    PICK = "pick"  # picked a "did you mean" choice
    NONE_OF_THESE = "none of these"  # "None of these" under the choices
    NOT_WHAT_I_ASKED = "not what I asked"  # rejected the answer shown
    ACCEPT_OFFER = "accept offer"  # agreed to pass an unanswered question on
    ASK_STAFF = "ask staff"  # "Talk to admissions" / "staff"
    TOUR_REQUEST = "tour request"  # asked for the tour form
    TOUR_SUBMIT = "tour submit"  # sent the tour form


class TurnOutcome(str, Enum):
    """What came of the turn: one per Outcome type (core/outcomes.py)."""

    ANSWERED = "answered"
    CLARIFIED = "clarified"  # "did you mean" choices shown
    OFFERED = "offered"  # no answer: offered to pass it on, nothing filed yet
    FILED = "filed"  # a ticket was filed (or the same one was already open)
    TOUR_FORM = "tour form"  # the tour times to pick from, or a form to fill in
    SMALLTALK = "small talk"
    NUDGE = "nudge"  # not a question (chatter, a stray yes/no)
    REFUSED = "refused"  # the open-ticket cap, bad input
    CANCELLED = "cancelled"  # a tour booking given back
    OTHER = "other"  # an outcome this version does not name (kept countable, never an error)


@dataclass(frozen=True)
class Turn:
    """One student turn as stored in `student_turns` (see storage/insights.py)."""

    at: datetime
    platform: str
    asker_id: str
    kind: TurnKind
    outcome: TurnOutcome
    entry_id: str | None = None  # the entry answered, the top choice, the rejected or picked one
    score: float | None = None  # its matcher score (0-100), when there was one
    ticket_number: int | None = None  # the ticket filed by this turn
    ticket_kind: TicketKind | None = None
    reason: FiledReason | None = None  # why that ticket was filed
    question: str | None = None  # the student's text; None when record_question_text is off


@dataclass(frozen=True)
class TicketFacts:
    """A ticket as the figures and the gaps need it: no replies' text, no events, two timings."""

    number: int
    kind: TicketKind
    status: TicketStatus
    reason: FiledReason | None
    question: str
    platform: str
    asker_id: str
    created_at: datetime
    claimed_at: datetime | None  # the first claim
    first_reply_at: datetime | None
    replies: int
