"""The ticket desk: the staff queue over the TicketStore port.

Filing, claiming, replying, closing and the delivery bookkeeping. It needs no
FAQ: `admissionsbot queue ...` builds a desk alone, so queue work goes on from
any directory and with a broken FAQ. Methods are synchronous and may block;
async adapters call them through `asyncio.to_thread`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from .errors import InvalidInput, TicketCapReached
from .limits import CLOSE_REASON_CHARS, DETAIL_CHARS, NAME_CHARS, NOTES_CHARS, PREFERRED_TIMES_CHARS, STAFF_NAME_CHARS
from .models import (
    Asker,
    Candidate,
    FeedbackTally,
    FiledReason,
    NewTicket,
    Reply,
    Ticket,
    TicketKind,
    TicketStatus,
    TourContact,
)
from .ports import TicketStore
from .textcheck import clean_text, for_storage, require_email, require_field
from .tickets import check_reply

TOUR_QUESTION = "Campus tour request"
#: Ranked candidates kept on a ticket for the staff card.
CANDIDATES_KEPT = 5


def utcnow() -> datetime:
    return datetime.now(UTC)


class TicketDesk:
    def __init__(
        self,
        store: TicketStore,
        *,
        max_live_tickets_per_asker: int = 5,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.max_live_tickets_per_asker = max_live_tickets_per_asker
        self.clock = clock

    # -- filing ------------------------------------------------------------------------
    def file_question(
        self,
        asker: Asker,
        question: str,
        reason: FiledReason,
        candidates: tuple[Candidate, ...] = (),
        rejected_entry: str | None = None,
    ) -> Ticket:
        """File a question ticket; it is persisted (and the cap checked atomically) before this returns."""
        text = for_storage(question)
        if not text:
            raise InvalidInput("Please tell us what you'd like to ask the admissions team.")
        new = NewTicket(TicketKind.QUESTION, asker, text, candidates[:CANDIDATES_KEPT],
                        reason=reason, rejected_entry=rejected_entry)
        return self.store.create(new, self.clock(), max_live=self.max_live_tickets_per_asker)

    def request_tour(self, asker: Asker, contact: TourContact, question: str = TOUR_QUESTION) -> Ticket:
        """Validate the contact details and file a tour ticket."""
        checked = validate_tour_contact(contact)
        text = for_storage(question) or TOUR_QUESTION
        new = NewTicket(TicketKind.TOUR, asker, text, contact=checked, reason=FiledReason.TOUR)
        return self.store.create(new, self.clock(), max_live=self.max_live_tickets_per_asker)

    def check_cap(self, asker: Asker) -> None:
        """Early, friendly refusal (e.g. before the tour form opens); filing re-checks atomically."""
        live = self.store.count_live_for_asker(asker.platform, asker.user_id)
        if live >= self.max_live_tickets_per_asker:
            raise TicketCapReached(live)

    # -- staff -------------------------------------------------------------------------
    def claim(self, number: int, staff: str) -> Ticket:
        return self.store.claim(number, require_field(staff, "name", STAFF_NAME_CHARS), self.clock())

    def reply(self, number: int, staff: str, text: str) -> Reply:
        """Record a staff reply; it stays undelivered until an adapter hands it over."""
        staff = require_field(staff, "name", STAFF_NAME_CHARS)
        body = clean_text(text)
        check_reply(self.store.get(number), staff, body)  # early, friendly error; the store re-checks atomically
        return self.store.add_reply(number, staff, body, self.clock())

    def close(self, number: int, actor: str, reason: str | None = None) -> Ticket:
        cleaned = clean_text(reason) if reason else None
        if cleaned and len(cleaned) > CLOSE_REASON_CHARS:
            raise InvalidInput(f"A close reason can be at most {CLOSE_REASON_CHARS} characters.")
        actor = require_field(actor, "name", STAFF_NAME_CHARS)
        return self.store.close_ticket(number, actor, cleaned or None, self.clock())

    def ticket(self, number: int) -> Ticket:
        return self.store.get(number)

    def tickets(self, status: TicketStatus | None = None, limit: int = 50) -> list[Ticket]:
        return self.store.list_tickets(status, limit)

    def tickets_for(self, asker: Asker, limit: int = 25) -> list[Ticket]:
        return self.store.for_asker(asker.platform, asker.user_id, limit)

    # -- delivery bookkeeping -----------------------------------------------------------
    def undelivered_replies(
        self, asker: Asker | None = None, limit: int = 50, *, platform: str | None = None
    ) -> list[tuple[Ticket, Reply]]:
        """Replies not yet handed to the student: one asker's, one platform's, or all."""
        if asker is not None:
            return self.store.undelivered_replies(asker.platform, asker.user_id, limit)
        return self.store.undelivered_replies(platform, None, limit)

    def mark_delivered(self, reply: Reply) -> None:
        self.store.mark_reply_delivered(reply.id, self.clock())

    def delivery_failed(self, reply: Reply, error: str) -> None:
        self.store.record_delivery_failure(reply.id, error[:DETAIL_CHARS], self.clock())

    def pending_staff_posts(self, limit: int = 50) -> list[Ticket]:
        return self.store.pending_staff_posts(limit)

    def staff_posted(self, number: int, ref: str) -> None:
        self.store.set_staff_post(number, ref, self.clock())

    def note(self, number: int, actor: str, action: str, detail: str = "") -> None:
        """Add an adapter-side happening (e.g. a failed staff post) to the ticket's log."""
        self.store.record_event(number, actor, action, detail[:DETAIL_CHARS], self.clock())

    # -- feedback ----------------------------------------------------------------------
    def record_feedback(self, asker: Asker, entry_id: str, helpful: bool, question: str = "") -> None:
        """A student's verdict on an answer ("Helpful" / "Not what I asked"), for staff to review."""
        self.store.record_feedback(entry_id, helpful, for_storage(question), asker, self.clock())

    def feedback(self) -> list[FeedbackTally]:
        """Per FAQ entry, how students rated it; the most "not what I asked" first."""
        return self.store.feedback_tallies()

    def shutdown(self) -> None:
        """Release the store's connections (the process is about to exit)."""
        self.store.close_store()


def validate_tour_contact(contact: TourContact) -> TourContact:
    """Clean and check tour details; raises InvalidInput with a message fit for the student."""
    return TourContact(
        name=require_field(contact.name, "name", NAME_CHARS),
        email=require_email(contact.email),
        preferred_times=require_field(contact.preferred_times, "preferred dates/times", PREFERRED_TIMES_CHARS),
        notes=require_field(contact.notes, "notes", NOTES_CHARS, required=False),
    )
