"""The ticket desk: the staff queue over the TicketStore port.

Filing, claiming, replying, closing and the delivery bookkeeping. It needs no
FAQ: `admissionsbot queue ...` builds a desk alone, so queue work goes on from
any directory and with a broken FAQ. Methods are synchronous and may block;
async adapters call them through `asyncio.to_thread`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from .errors import InvalidInput, TicketCapReached
from .limits import CLOSE_REASON_CHARS, DETAIL_CHARS, NAME_CHARS, NOTES_CHARS, PREFERRED_TIMES_CHARS
from .models import (
    Asker,
    Candidate,
    FeedbackTally,
    FiledReason,
    FollowUp,
    NewTicket,
    Reply,
    Staff,
    Ticket,
    TicketKind,
    TicketStatus,
    TourContact,
)
from .ports import TicketStore
from .snippets import Snippets
from .staff import checked_staff
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
        lease_clock: Callable[[], datetime] = utcnow,
        release_after_hours: float = 24.0,
    ) -> None:
        self.store = store
        self.max_live_tickets_per_asker = max_live_tickets_per_asker
        #: after this long without a word from the claimer, anyone may release or reassign (0: only the claimer)
        self.release_after = timedelta(hours=release_after_hours) if release_after_hours > 0 else None
        self.clock = clock  # what events and tickets record
        self.lease_clock = lease_clock  # when leases and back-offs end: real time, shared by every process

    def _in(self, seconds: float) -> datetime:
        return self.lease_clock() + timedelta(seconds=seconds)

    # -- filing ------------------------------------------------------------------------
    def file_question(
        self,
        asker: Asker,
        question: str,
        reason: FiledReason,
        candidates: tuple[Candidate, ...] = (),
        rejected_entry: str | None = None,
        *,
        once: bool = False,
    ) -> Ticket:
        """File a question ticket; it is persisted (and the cap checked atomically) before this returns.

        `once`: the same question already open for this asker raises AlreadyFiled with that ticket
        (a double press, the same question asked twice) instead of filing it again.
        """
        text = for_storage(question)
        if not text:
            raise InvalidInput("Please tell us what you'd like to ask the admissions team.")
        new = NewTicket(TicketKind.QUESTION, asker, text, candidates[:CANDIDATES_KEPT],
                        reason=reason, rejected_entry=rejected_entry)
        return self.store.create(new, self.clock(), max_live=self.max_live_tickets_per_asker,
                                 reuse_live_duplicate=once)

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
    def claim(self, number: int, staff: Staff) -> Ticket:
        return self.store.claim(number, checked_staff(staff), self.clock())

    def reply(self, number: int, staff: Staff, text: str, snippet: str | None = None) -> Reply:
        """Record a staff reply (`snippet`: a canned reply's name, its text goes after `text`); it stays
        undelivered until an adapter hands it over."""
        staff = checked_staff(staff)
        body = Snippets(self.store, self.clock).expand(clean_text(text), snippet)
        check_reply(self.store.get(number), staff, body)  # early, friendly error; the store re-checks atomically
        return self.store.add_reply(number, staff, body, self.clock())

    def close(self, number: int, actor: Staff, reason: str | None = None) -> Ticket:
        cleaned = clean_text(reason) if reason else None
        if cleaned and len(cleaned) > CLOSE_REASON_CHARS:
            raise InvalidInput(f"A close reason can be at most {CLOSE_REASON_CHARS} characters.")
        return self.store.close_ticket(number, checked_staff(actor), cleaned or None, self.clock())

    # -- hand-over and follow-ups (rules: core/handover.py) ------------------------------------
    def release(self, number: int, by: Staff) -> Ticket:
        """Back to open: the claimer, or anyone once the claim is idle for release_after_hours."""
        return self.store.release(number, checked_staff(by), self.clock(), self.release_after)

    def assign(self, number: int, by: Staff, to: Staff) -> Ticket:
        """Give the ticket to another staff member (same rule as release when someone else holds it)."""
        return self.store.assign(number, checked_staff(by), checked_staff(to), self.clock(), self.release_after)

    def reopen(self, number: int, by: Staff) -> Ticket:
        return self.store.reopen(number, checked_staff(by), self.clock())

    def follow_up(self, asker: Asker, number: int, text: str) -> Ticket:
        """A student answers a staff reply: their words join that ticket (only their own), never a new one."""
        return self.store.add_followup(number, asker.platform, asker.user_id, for_storage(text), self.clock())

    def take_followup_notice(self, followup: FollowUp) -> bool:
        """Before telling staff of a follow-up: True only for the one caller that should tell them."""
        return self.store.take_followup_notice(followup.id, self.clock())

    def release_followup_notice(self, followup: FollowUp) -> None:
        self.store.release_followup_notice(followup.id)

    def unannounced_followups(self, limit: int = 50) -> list[tuple[Ticket, FollowUp]]:
        return self.store.unannounced_followups(limit)

    def staff_members(self) -> list[Staff]:
        return self.store.staff_members()

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

    def mark_delivered(self, reply: Reply) -> bool:
        """True only for the call that recorded the delivery (a reply is delivered once)."""
        return self.store.mark_reply_delivered(reply.id, self.clock())

    def delivery_failed(self, reply: Reply, error: str, retry_in: float | None = None) -> int:
        """Record a failed attempt; not retried for `retry_in` seconds. Returns the attempts so far
        as stored (1: this was the first failure), 0 if it was delivered meanwhile."""
        retry_at = None if retry_in is None else self._in(retry_in)
        return self.store.record_delivery_failure(reply.id, error[:DETAIL_CHARS], self.clock(), retry_at)

    def pending_staff_posts(self, limit: int = 50) -> list[Ticket]:
        return self.store.pending_staff_posts(limit)

    # -- leases: one sender per pending card or reply, one leader for background work -------
    def take_reply(self, reply: Reply, owner: str, seconds: float) -> tuple[Ticket, Reply] | None:
        """Lease a reply for `seconds` before sending it; None: delivered, being sent, or backing off."""
        return self.store.take_reply(reply.id, owner, self._in(seconds), self.lease_clock())

    def take_pending_replies(
        self, owner: str, seconds: float, platform: str | None = None, limit: int = 50
    ) -> list[tuple[Ticket, Reply]]:
        return self.store.take_pending_replies(owner, self._in(seconds), self.lease_clock(), platform, limit)

    def release_reply(self, reply: Reply, owner: str) -> None:
        self.store.release_reply(reply.id, owner)

    def take_staff_post(self, number: int, owner: str, seconds: float, current_ref: str | None = None) -> Ticket | None:
        """Lease posting a card; returns the ticket as it is now, or None (posted, or being posted)."""
        return self.store.take_staff_post(number, owner, self._in(seconds), self.lease_clock(), current_ref)

    def take_pending_staff_posts(self, owner: str, seconds: float, limit: int = 50) -> list[Ticket]:
        return self.store.take_pending_staff_posts(owner, self._in(seconds), self.lease_clock(), limit)

    def release_staff_post(self, number: int, owner: str, retry_in: float | None = None) -> None:
        self.store.release_staff_post(number, owner, None if retry_in is None else self._in(retry_in))

    def next_retry_in(self, platform: str | None = None) -> float | None:
        """Seconds until a leased or backing-off card or reply becomes free to retry (None: nothing waits)."""
        now = self.lease_clock()
        at = self.store.next_retry_at(now, platform)
        return None if at is None else max((at - now).total_seconds(), 0.0)

    def acquire_lease(self, name: str, owner: str, seconds: float) -> bool:
        return self.store.acquire_lease(name, owner, self.lease_clock(), self._in(seconds))

    def release_lease(self, name: str, owner: str) -> None:
        self.store.release_lease(name, owner)

    def lease_holder(self, name: str) -> tuple[str, datetime] | None:
        return self.store.lease_holder(name, self.lease_clock())

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
