"""AdmissionsService: the one facade every adapter (console, Discord) calls.

It owns the knowledge base and matcher (swappable at run time by `reload`),
the decision settings and the ticket store. Methods are synchronous; the
store may block, so async adapters call them through `asyncio.to_thread`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from ..storage.base import TicketStore
from .decide import ACTION_FOR_KIND, DecisionSettings, decide
from .errors import InvalidInput
from .knowledge import KnowledgeBase
from .matcher import Matcher
from .models import (
    Asker,
    Candidate,
    Decision,
    Entry,
    EntryKind,
    FeedbackTally,
    NewTicket,
    Reply,
    Ticket,
    TicketKind,
    TicketStatus,
    TourContact,
)
from .normalize import normalize
from .textcheck import clean_text, for_storage, require_email, require_field
from .tickets import check_reply

NOTHING_TO_MATCH = "I couldn't find a question in that. Could you type it in words?"
TOUR_QUESTION = "Campus tour request"


def utcnow() -> datetime:
    return datetime.now(UTC)


class AdmissionsService:
    def __init__(
        self,
        knowledge: KnowledgeBase,
        store: TicketStore,
        settings: DecisionSettings | None = None,
        *,
        max_live_tickets_per_asker: int = 5,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.settings = settings or DecisionSettings()
        self.max_live_tickets_per_asker = max_live_tickets_per_asker
        self._clock = clock
        self._lock = threading.Lock()
        self._state = (knowledge, Matcher(knowledge.phrasings(), knowledge.synonyms))

    # -- knowledge -----------------------------------------------------------------
    @property
    def knowledge(self) -> KnowledgeBase:
        return self._state[0]

    def reload(self, knowledge: KnowledgeBase) -> None:
        """Swap in a new, already validated knowledge base (one atomic assignment)."""
        matcher = Matcher(knowledge.phrasings(), knowledge.synonyms)
        with self._lock:
            self._state = (knowledge, matcher)

    def entry(self, entry_id: str) -> Entry:
        return self.knowledge.entry(entry_id)

    # -- asking --------------------------------------------------------------------
    def ask(self, text: str) -> Decision:
        """Decide what to do with one question; raises InvalidInput when there is nothing to match."""
        question = clean_text(text)
        if not normalize(question):
            raise InvalidInput(NOTHING_TO_MATCH)
        knowledge, matcher = self._state
        if len(question) > self.settings.max_question_chars:
            return decide(question, (), knowledge.entry, self.settings)
        candidates = matcher.match(question, limit=max(5, self.settings.max_choices + 2))
        return decide(question, candidates, knowledge.entry, self.settings)

    def choose(self, question: str, entry_id: str) -> Decision:
        """The student picked a "did you mean" choice: act on that entry as if it matched."""
        entry = self.entry(entry_id)
        action = ACTION_FOR_KIND[entry.kind]
        reason = "handoff" if entry.kind is EntryKind.HANDOFF else "chosen"
        return Decision(clean_text(question), action, entry=entry, score=100.0, reason=reason)

    def alternatives(self, decision: Decision, limit: int = 3) -> tuple[Entry, ...]:
        """Other answerable candidates for "not what I asked" (never the one already shown)."""
        shown = decision.entry.id if decision.entry else None
        knowledge = self.knowledge
        out = []
        for c in decision.candidates:
            if c.entry_id == shown or not knowledge.has(c.entry_id):
                continue
            entry = knowledge.entry(c.entry_id)
            if entry.kind is EntryKind.SMALLTALK or c.score < self.settings.clarify_threshold:
                continue
            out.append(entry)
            if len(out) == limit:
                break
        return tuple(out)

    # -- filing tickets ------------------------------------------------------------
    def escalate(self, asker: Asker, question: str, candidates: tuple[Candidate, ...] = ()) -> Ticket:
        """File a question ticket; it is persisted before this returns."""
        text = for_storage(question)
        if not text:
            raise InvalidInput("Please tell us what you'd like to ask the admissions team.")
        self._check_cap(asker)
        return self.store.create(NewTicket(TicketKind.QUESTION, asker, text, candidates[:5]), self._clock())

    def request_tour(self, asker: Asker, contact: TourContact, question: str = TOUR_QUESTION) -> Ticket:
        """Validate the contact details and file a tour ticket."""
        checked = validate_tour_contact(contact)
        self._check_cap(asker)
        text = for_storage(question) or TOUR_QUESTION
        return self.store.create(NewTicket(TicketKind.TOUR, asker, text, contact=checked), self._clock())

    def _check_cap(self, asker: Asker) -> None:
        live = self.store.count_live_for_asker(asker.platform, asker.user_id)
        if live >= self.max_live_tickets_per_asker:
            raise InvalidInput(
                f"You already have {live} requests waiting for the admissions team. "
                "They'll reply to those first; please add anything else to your reply then."
            )

    # -- staff ---------------------------------------------------------------------
    def claim(self, number: int, staff: str) -> Ticket:
        return self.store.claim(number, require_field(staff, "name", 100), self._clock())

    def reply(self, number: int, staff: str, text: str) -> Reply:
        """Record a staff reply; it stays undelivered until an adapter hands it over."""
        staff = require_field(staff, "name", 100)
        body = clean_text(text)
        check_reply(self.store.get(number), staff, body)  # early, friendly error; the store re-checks atomically
        return self.store.add_reply(number, staff, body, self._clock())

    def close(self, number: int, actor: str, reason: str | None = None) -> Ticket:
        cleaned = clean_text(reason) if reason else None
        return self.store.close(number, require_field(actor, "name", 100), cleaned or None, self._clock())

    def ticket(self, number: int) -> Ticket:
        return self.store.get(number)

    def tickets(self, status: TicketStatus | None = None, limit: int = 50) -> list[Ticket]:
        return self.store.list(status, limit)

    def tickets_for(self, asker: Asker, limit: int = 25) -> list[Ticket]:
        return self.store.for_asker(asker.platform, asker.user_id, limit)

    # -- delivery bookkeeping --------------------------------------------------------
    def undelivered_replies(
        self, asker: Asker | None = None, limit: int = 50, *, platform: str | None = None
    ) -> list[tuple[Ticket, Reply]]:
        """Replies not yet handed to the student: one asker's, one platform's, or all."""
        if asker is not None:
            return self.store.undelivered_replies(asker.platform, asker.user_id, limit)
        return self.store.undelivered_replies(platform, None, limit)

    def mark_delivered(self, reply: Reply) -> None:
        self.store.mark_reply_delivered(reply.id, self._clock())

    def delivery_failed(self, reply: Reply, error: str) -> None:
        self.store.record_delivery_failure(reply.id, error[:500], self._clock())

    def pending_staff_posts(self, limit: int = 50) -> list[Ticket]:
        return self.store.pending_staff_posts(limit)

    def staff_posted(self, number: int, ref: str) -> None:
        self.store.set_staff_post(number, ref, self._clock())

    def record_feedback(self, asker: Asker, entry_id: str, helpful: bool, question: str = "") -> None:
        """A student's verdict on an answer ("Helpful" / "Not what I asked"), for staff to review."""
        self.store.record_feedback(entry_id, helpful, for_storage(question), asker, self._clock())

    def feedback(self) -> list[FeedbackTally]:
        """Per FAQ entry, how students rated it; the most "not what I asked" first."""
        return self.store.feedback_tallies()

    def shutdown(self) -> None:
        """Release the store's connections (the process is about to exit)."""
        self.store.close_store()

    def note(self, number: int, actor: str, action: str, detail: str = "") -> None:
        """Add an adapter-side happening (e.g. a failed staff post) to the ticket's log."""
        self.store.record_event(number, actor, action, detail[:500], self._clock())


TOO_LONG_NOTE = "That's a long message, so I've passed it to a person rather than guess."


def escalation_note(decision: Decision) -> str | None:
    """Why a question goes to staff, when there is more to say than "no match".

    A hand-off entry's answer explains the hand-off (e.g. tuition is not quoted);
    an over-long message is routed to a person rather than guessed at.
    """
    if decision.reason == "handoff" and decision.entry is not None:
        return decision.entry.answer
    if decision.reason == "too long":
        return TOO_LONG_NOTE
    return None


def validate_tour_contact(contact: TourContact) -> TourContact:
    """Clean and check tour details; raises InvalidInput with a message fit for the student."""
    return TourContact(
        name=require_field(contact.name, "name", 100),
        email=require_email(contact.email),
        preferred_times=require_field(contact.preferred_times, "preferred dates/times", 300),
        notes=require_field(contact.notes, "notes", 1000, required=False),
    )
