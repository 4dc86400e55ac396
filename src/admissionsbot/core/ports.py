"""The TicketStore port: what the ticket desk needs from any database.

It lives in core so the core depends on nothing below it: storage/ implements
this protocol, core never imports storage.

It speaks core types only (no Discord objects, no SQL types), so SQLite (the
embedded default) and PostgreSQL implement it identically and the same test
suite runs against both. Every method is synchronous and may block: async
callers (the Discord adapter) run them in a worker thread.

Every state change is atomic: the store locks the ticket, asks
`core.tickets` whether the change is allowed, writes the change and its
event-log row in one transaction. A failure raises `StorageError` with a
readable message; nothing half-written is left behind, and nothing is
acknowledged that was not stored (a SQLite file deleted or replaced under a
running store is refused, not written to).

Ticket numbers and reply ids outside 1..2**63-1 name no row: TicketNotFound
(or StorageError for replies), never an overflow. A stored row that cannot be
read raises StorageError naming the ticket and column from `get` and the
state changes; listings leave that ticket out with a logged warning.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from .models import Asker, FeedbackTally, FollowUp, NewTicket, Reply, Staff, Ticket, TicketStatus
from .privacy import AuditEntry
from .records import TicketFacts, Turn
from .snippets import Snippet
from .tours import NewTourSlot, TourBooking, TourNotice, TourSlot


class TicketStore(Protocol):
    def create(
        self, new: NewTicket, at: datetime, max_live: int | None = None, *, reuse_live_duplicate: bool = False
    ) -> Ticket:
        """Persist a new OPEN ticket (with a `created` event) and return it with its number.

        With `max_live`, the asker's live (not closed) tickets are counted in the same
        transaction, serialised per asker, and TicketCapReached is raised at the cap:
        concurrent requests from one student cannot overshoot it. With `reuse_live_duplicate`, a live
        ticket of the same asker, kind and question raises AlreadyFiled carrying it (checked under the
        same lock, before the cap), so a double press files one ticket.
        """

    def get(self, number: int) -> Ticket:
        """The ticket with its replies and event log; raises TicketNotFound."""

    def list_tickets(self, status: TicketStatus | None = None, limit: int = 50) -> list[Ticket]:
        """Newest first; replies included, events not."""

    def for_asker(self, platform: str, user_id: str, limit: int = 25) -> list[Ticket]:
        """One asker's tickets, newest first."""

    def count_live_for_asker(self, platform: str, user_id: str) -> int:
        """How many of the asker's tickets are not closed (for the per-user cap)."""

    def claim(self, number: int, staff: Staff, at: datetime) -> Ticket:
        """OPEN -> CLAIMED; exactly one of several concurrent claimers wins. Every staff action also
        records the member's latest name (a nameless Staff keeps the stored one)."""

    def add_reply(self, number: int, staff: Staff, text: str, at: datetime) -> Reply:
        """Record an undelivered staff reply; the ticket becomes ANSWERED."""

    def close_ticket(self, number: int, actor: Staff, reason: str | None, at: datetime) -> Ticket:
        """Any live state -> CLOSED, with an optional reason (`close_store` releases the store)."""

    def set_staff_post(self, number: int, ref: str, at: datetime) -> None:
        """Record where the ticket was posted for staff (e.g. a Discord message id); ends its post lease.
        Recording the same ref again changes nothing."""

    def pending_staff_posts(self, limit: int = 50) -> list[Ticket]:
        """Live tickets never posted to staff yet, oldest first (for retry)."""

    def undelivered_replies(
        self, platform: str | None = None, user_id: str | None = None, limit: int = 50
    ) -> list[tuple[Ticket, Reply]]:
        """Replies not yet delivered to the student, oldest first, optionally for one asker."""

    def mark_reply_delivered(self, reply_id: int, at: datetime) -> bool:
        """Record the delivery once (and end its lease): of racing callers one wins, keeping its
        time and one event, and only that one gets True."""

    def record_delivery_failure(
        self, reply_id: int, error: str, at: datetime, retry_at: datetime | None = None
    ) -> int:
        """Count a failed attempt and keep the reply pending, released but not taken again before
        `retry_at` (the back-off). Returns the attempts counted so far from the stored row (so of
        racing callers exactly one sees 1), or 0 when it was delivered meanwhile (then ignored)."""

    # -- leases: each pending card and reply is sent by one task of one process at a time ---------
    # A lease ends at `until`; a holder that dies leaves it to expire. Times are UTC, from the caller.
    def take_reply(self, reply_id: int, owner: str, until: datetime, now: datetime) -> tuple[Ticket, Reply] | None:
        """Lease one undelivered reply; None when delivered, leased by anyone, or backing off."""

    def take_pending_replies(
        self, owner: str, until: datetime, now: datetime, platform: str | None = None, limit: int = 50
    ) -> list[tuple[Ticket, Reply]]:
        """Lease up to `limit` undelivered replies that nobody holds, oldest first; two callers never share one."""

    def release_reply(self, reply_id: int, owner: str) -> None:
        """End `owner`'s lease on a reply without delivering it (free to take at once)."""

    def take_staff_post(
        self, number: int, owner: str, until: datetime, now: datetime, current_ref: str | None = None
    ) -> Ticket | None:
        """Lease posting a ticket's card while its ref is still `current_ref` (None: never posted);
        returns the ticket as stored, or None when posted meanwhile or held by another."""

    def take_pending_staff_posts(self, owner: str, until: datetime, now: datetime, limit: int = 50) -> list[Ticket]:
        """Lease up to `limit` live, never-posted tickets nobody is posting, oldest first."""

    def release_staff_post(self, number: int, owner: str, retry_at: datetime | None = None) -> None:
        """End `owner`'s lease on posting a card (it failed); not taken again before `retry_at`."""

    def next_retry_at(self, now: datetime, platform: str | None = None) -> datetime | None:
        """When the first pending card or reply that is leased or backing off becomes free (None: none is)."""

    def acquire_lease(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        """Take or renew the named lease until `until`; False while another owner holds it unexpired."""

    def release_lease(self, name: str, owner: str) -> None:
        """Give up the named lease if `owner` holds it."""

    def lease_holder(self, name: str, now: datetime) -> tuple[str, datetime] | None:
        """(owner, expiry) of the named lease, or None when it is free or expired."""

    def record_event(self, number: int, actor: str, action: str, detail: str, at: datetime) -> None:
        """Append to the ticket's event log (for adapter-side happenings)."""

    def record_feedback(self, entry_id: str, helpful: bool, question: str, asker: Asker, at: datetime) -> None:
        """Keep one student's verdict on an answer (one vote per student per entry: a new one replaces it)."""

    def feedback_tallies(self) -> list[FeedbackTally]:
        """Per entry: how often it was marked helpful / not what was asked; most misses first."""

    def check_writable(self) -> None:
        """Raise StorageError unless the store can be written (a read-only file, a read-only database user)."""

    # -- the knowledge loop: turns, figures, digests (storage/insights.py) ----------------------------
    def record_turn(self, turn: Turn) -> None:
        """Append one student turn (core/turns.py); its text is None when it must not be kept."""

    def turns_since(self, since: datetime | None = None) -> list[Turn]:
        """Turns at or after `since` (all when None), oldest first."""

    def ticket_facts(self, since: datetime | None = None) -> list[TicketFacts]:
        """Tickets created at or after `since`, oldest first, with first claim and first reply times."""

    def oldest_open_ticket(self) -> TicketFacts | None:
        """The open (unclaimed) ticket waiting longest, whenever it was filed."""

    def feedback_since(self, since: datetime | None = None) -> list[FeedbackTally]:
        """Like feedback_tallies, counting only votes cast at or after `since`."""

    def digest_posted(self, week_of: str) -> bool:
        """Whether the weekly digest due on `week_of` (an ISO date) was posted."""

    def record_digest(self, week_of: str, ref: str, at: datetime) -> bool:
        """Remember the digest of `week_of` as posted; True only for the call that recorded it."""

    # -- staff queue operations (issue 13): staff names (storage/staff_ops.py) ------------------------
    def staff_members(self) -> list[Staff]:
        """Everyone who has worked the queue, with their latest names."""

    def staff_member(self, key: str) -> Staff:
        """One member by key ("discord:6000"), with the latest name the store has."""

    # hand-over (core/handover.py decides, inside the transaction that locked the ticket)
    def release(self, number: int, by: Staff, at: datetime, release_after: timedelta | None) -> Ticket:
        """CLAIMED/ANSWERED -> OPEN, by the claimer or, once the claim is idle for `release_after`, anyone."""

    def assign(self, number: int, by: Staff, to: Staff, at: datetime, release_after: timedelta | None) -> Ticket:
        """Give the ticket to `to` (claimed, or still answered); the same idle rule when someone holds it."""

    def reopen(self, number: int, by: Staff, at: datetime) -> Ticket:
        """CLOSED -> OPEN, unclaimed."""

    def add_followup(self, number: int, platform: str, user_id: str, text: str, at: datetime) -> Ticket:
        """The asker's message joins their own ticket (TicketNotFound for anyone else's); back to claimed or open."""

    def take_followup_notice(self, followup_id: int, at: datetime) -> bool:
        """Mark a follow-up as announced to staff; True only for the one caller that marked it."""

    def release_followup_notice(self, followup_id: int) -> None:
        """Unmark it (the notice failed), so the next retry pass announces it."""

    def unannounced_followups(self, limit: int = 50) -> list[tuple[Ticket, FollowUp]]:
        """Follow-ups not announced yet, oldest first."""

    # reminders (core/reminders.py): recorded before they are posted, so each goes out once
    def mark_reminded(self, number: int, seen: int, at: datetime) -> bool:
        """Record a reminder if the ticket's reminder count is still `seen`; False when one was recorded meanwhile."""

    def unmark_reminded(self, number: int, count: int, previous: datetime | None) -> None:
        """Take back reminder number `count` (its post failed)."""

    # canned replies (core/snippets.py, storage/snippets.py)
    def add_snippet(self, snippet: Snippet) -> bool:
        """Store a snippet; False when the name is taken (nothing changes)."""

    def snippets(self) -> list[Snippet]:
        """All snippets by name."""

    def snippet(self, name: str) -> Snippet | None:
        """One snippet by its (lowercase) name."""

    def remove_snippet(self, name: str) -> bool:
        """Delete a snippet; False when there was none of that name."""

    # personal data (core/privacy.py, storage/privacy.py)
    def personal_data(self, platform: str, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row about one person (as a student or as staff), table by table, as plain JSON-able data."""

    def forget_person(self, platform: str, user_id: str, pseudonym: str, by: Staff,
                      at: datetime) -> tuple[dict[str, int], list[int]]:
        """Anonymise one person everywhere, keeping every row; an audit entry without personal data.
        Returns the rows changed per table and the person's ticket numbers."""

    def purge_closed(self, before: datetime, by: Staff | None, at: datetime) -> tuple[list[int], int]:
        """Anonymise tickets closed before `before` and older feedback/turn texts; (tickets, texts removed)."""

    def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        """The privacy audit log, newest first."""

    def tickets_since(self, since: datetime | None = None) -> list[Ticket]:
        """Every ticket filed at or after `since`, oldest first, with replies and follow-ups."""

    def text_columns(self) -> dict[str, list[str]]:
        """Every text column of every table as the database has them (privacy checks)."""

    # -- campus tours (issue 14): slots and bookings (storage/tours.py) ------------------------------
    # A booking is a ticket of kind tour (contact details in the ticket) plus a row naming its slot.
    def add_tour_slot(self, slot: NewTourSlot, at: datetime) -> TourSlot:
        """Publish a slot (already checked by core.tours.check_new_slot)."""

    def tour_slot(self, slot_id: int) -> TourSlot:
        """One slot with its places booked; raises SlotNotFound."""

    def tour_slots(self, starts_after: datetime | None = None, until: datetime | None = None, *,
                   include_cancelled: bool = True, limit: int = 200) -> list[TourSlot]:
        """Slots starting after `starts_after` and by `until`, soonest first."""

    def cancel_tour_slot(self, slot_id: int, by: Staff, reason: str | None, at: datetime
                         ) -> tuple[TourSlot, list[int]]:
        """Cancel a slot: its live bookings become slot_cancelled (a notice each, sent once) and their
        tickets close; returns the slot and those ticket numbers. TransitionError if already cancelled."""

    def tour_roster(self, slot_id: int) -> list[tuple[Ticket, TourBooking]]:
        """Every booking made in the slot (cancelled ones too) with its ticket, first booked first."""

    def tour_booking(self, number: int) -> TourBooking:
        """The booking whose ticket is `number`; raises BookingNotFound."""

    def tour_bookings_for(self, platform: str, user_id: str, limit: int = 25) -> list[TourBooking]:
        """One student's bookings (any state), the soonest tour first."""

    def book_tour(self, new: NewTicket, slot_id: int, visitors: int, at: datetime, remind_at: datetime | None,
                  max_live: int | None = None) -> tuple[Ticket, TourBooking]:
        """File the booking's ticket and take `visitors` places in one transaction, never over the
        slot's capacity whatever runs at once; raises AlreadyBooked, TicketCapReached, SlotNotFound or
        SlotUnavailable (cancelled, started, too few places) and then changes nothing."""

    def cancel_tour_booking(self, number: int, platform: str, user_id: str, actor: str, reason: str,
                            at: datetime) -> TourBooking:
        """The asker gives their places back and the ticket closes; BookingNotFound if not theirs."""

    def move_tour_booking(self, number: int, slot_id: int, platform: str, user_id: str, details: str,
                          remind_at: datetime | None, at: datetime) -> TourBooking:
        """Move the asker's live booking to another slot under the same capacity rule."""

    def take_tour_notices(self, owner: str, until: datetime, lease_now: datetime, due_now: datetime,
                          platform: str | None = None, user_id: str | None = None, limit: int = 20,
                          max_attempts: int = 5) -> list[TourNotice]:
        """Lease due reminders and slot-cancelled notices nobody holds; two callers never share one."""

    def tour_notice_sent(self, notice: TourNotice, at: datetime) -> bool:
        """Record it as sent, once: only the call that recorded it gets True."""

    def tour_notice_failed(self, notice: TourNotice, error: str, at: datetime, retry_at: datetime | None) -> int:
        """Count a failed send, held back until `retry_at`; returns the attempts so far."""

    def release_tour_notice(self, notice: TourNotice, owner: str) -> None:
        """Give a taken notice back at once."""

    def close_store(self) -> None:
        """Release connections."""
