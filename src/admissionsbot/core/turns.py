"""Every student turn recorded with its outcome, in the conversation layer and only there.

The conversation's public methods (ask, say, pick, none_of_these, ...) carry
`@student_turn(kind)`. They call each other (say -> ask, accept_offer ->
pass_on ...), so only the outermost call of a thread records, once, after it
returns: `say` is transparent (kind None) and the turn takes the kind of the
first decorated call it made, so "2" under "did you mean" is stored as a pick
and "yes" to an offer as an accepted offer. Every front end (console, Discord,
a future widget) goes through these methods, so the figures of `stats` are
counted from what students actually did, whatever the front end.

The same place refreshes the FAQ before a turn (`Conversation.before_turn`,
core/faq_watch.py): a file learned by another process is in use for the very
next question.

Recording never costs the student their answer: a store failure is logged and
the turn goes on. The question's text is kept only when `keep_text` is true
(setting `record_question_text`); everything else (who, when, outcome, entry,
score, ticket) is always kept, so the figures do not depend on it.
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from .errors import AdmissionsError
from .models import Asker
from .outcomes import (
    Answered,
    BookingCancelled,
    ChooseSlot,
    Clarify,
    Nudge,
    OfferStaff,
    OpenBookingForm,
    OpenTourForm,
    Outcome,
    Refused,
    SmallTalk,
    TicketFiled,
    TourBooked,
)
from .ports import TicketStore
from .records import Turn, TurnKind, TurnOutcome
from .textcheck import for_storage

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Outcome])
_frames = threading.local()  # per thread: the stack of decorated calls in progress

OUTCOME_OF: dict[type, TurnOutcome] = {
    Answered: TurnOutcome.ANSWERED, Clarify: TurnOutcome.CLARIFIED, OfferStaff: TurnOutcome.OFFERED,
    TicketFiled: TurnOutcome.FILED, OpenTourForm: TurnOutcome.TOUR_FORM, SmallTalk: TurnOutcome.SMALLTALK,
    Nudge: TurnOutcome.NUDGE, Refused: TurnOutcome.REFUSED,
    # tours by slot (issue 14): the times to pick from and the booking form are the tour form; a booking is filed
    ChooseSlot: TurnOutcome.TOUR_FORM, OpenBookingForm: TurnOutcome.TOUR_FORM, TourBooked: TurnOutcome.FILED,
    BookingCancelled: TurnOutcome.CANCELLED,
}


class TurnLog:
    """Where the conversation's turns go: the ticket store's `student_turns` table."""

    def __init__(self, store: TicketStore, clock: Callable[[], datetime], *, keep_text: bool = True) -> None:
        self.store = store
        self.clock = clock
        self.keep_text = keep_text

    def record(self, kind: TurnKind, asker: Asker, outcome: Outcome, text: str) -> None:
        """Store one turn; a failure is logged, never raised (the student still gets the answer)."""
        turn = turn_from(kind, asker, outcome, text, self.clock(), keep_text=self.keep_text)
        try:
            self.store.record_turn(turn)
        except AdmissionsError as exc:
            log.warning("Could not record a %s turn (%s): %s", turn.kind.value, turn.outcome.value, exc)


def turn_from(kind: TurnKind, asker: Asker, outcome: Outcome, text: str, at: datetime, *,
              keep_text: bool = True) -> Turn:
    """The stored form of a turn: outcome, entry and score read off the Outcome (pure)."""
    entry_id: str | None = None
    score: float | None = None
    question = text
    number = ticket_kind = reason = None
    if isinstance(outcome, Answered):
        entry_id, score, question = outcome.entry.id, outcome.score, outcome.question
    elif isinstance(outcome, Clarify):
        entry_id = outcome.choices[0].id if outcome.choices else None
        score, question = outcome.score, outcome.question
    elif isinstance(outcome, OfferStaff):
        if outcome.candidates:
            entry_id, score = outcome.candidates[0].entry_id, outcome.candidates[0].score
        question = outcome.question
    elif isinstance(outcome, (TicketFiled, TourBooked)):
        ticket = outcome.ticket
        number, ticket_kind, reason, question = ticket.number, ticket.kind, ticket.reason, ticket.question
        if ticket.candidates:
            entry_id, score = ticket.candidates[0].entry_id, ticket.candidates[0].score
    elif isinstance(outcome, (OpenTourForm, ChooseSlot, OpenBookingForm)):
        question = outcome.question
    if kind is TurnKind.NOT_WHAT_I_ASKED and isinstance(outcome, (Clarify, OfferStaff)) and outcome.rejected_entry:
        entry_id, score = outcome.rejected_entry, None  # the entry the student turned down
    return Turn(
        at=at, platform=asker.platform, asker_id=asker.user_id, kind=kind,
        outcome=OUTCOME_OF.get(type(outcome), TurnOutcome.OTHER),
        entry_id=entry_id, score=None if score is None else round(float(score), 2), ticket_number=number,
        ticket_kind=ticket_kind, reason=reason, question=for_storage(question) if keep_text else None,
    )


@dataclass
class _Frame:
    kind: TurnKind | None
    text: str
    child: _Frame | None = None  # the first marked call made directly inside this one


def student_turn(kind: TurnKind | None, text: str = "text") -> Callable[[F], F]:
    """Mark a Conversation method as a student turn; `text` names the argument holding the student's words.

    kind None (`say`): the turn takes the kind of the first marked method it calls, else MESSAGE.
    """

    def wrap(method: F) -> F:
        signature = inspect.signature(method)

        @functools.wraps(method)
        def turn(self: Any, asker: Asker, *args: Any, **kwargs: Any) -> Outcome:
            stack: list[_Frame] = getattr(_frames, "stack", None) or []
            outermost = not stack
            if outermost:
                _frames.stack = stack
                before = getattr(self, "before_turn", None)
                if before is not None:
                    before()
            words = signature.bind_partial(self, asker, *args, **kwargs).arguments.get(text)
            frame = _Frame(kind, words if isinstance(words, str) else "")
            if len(stack) == 1 and stack[0].child is None:
                stack[0].child = frame
            stack.append(frame)
            try:
                outcome = method(self, asker, *args, **kwargs)
            finally:
                stack.pop()
            turn_log: TurnLog | None = getattr(self, "turn_log", None)
            if outermost and turn_log is not None:
                chosen = frame.child if frame.kind is None and frame.child is not None else frame
                turn_log.record(chosen.kind or TurnKind.MESSAGE, asker, outcome, chosen.text or frame.text)
            return outcome

        return cast(F, turn)

    return wrap
