"""Tour slots and bookings in the store, identically on SQLite and PostgreSQL (issue 14).

Capacity is the point: many students booking the last places at once, from
threads sharing a store, from separate store instances, and from separate OS
processes, never put a slot over its capacity; the rest are told it is full.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from storage_support import asker, staff

from admissionsbot.core.desk import TicketDesk
from admissionsbot.core.errors import TicketCapReached, TransitionError
from admissionsbot.core.models import Asker, TicketKind, TicketStatus
from admissionsbot.core.tour_desk import CANCELLED_BY_STUDENT, TourDesk
from admissionsbot.core.tours import (
    AlreadyBooked,
    BookingDetails,
    BookingNotFound,
    BookingStatus,
    NoticeKind,
    SlotNotFound,
    SlotUnavailable,
    TourRules,
)
from admissionsbot.storage import TicketStore, open_store

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ADA = staff("ada")
BERLIN = TourRules.parse("Europe/Berlin", days_ahead=14, reminder_hours=24)


def details(name: str = "Robin", visitors: int = 1) -> BookingDetails:
    return BookingDetails(name, f"{name.lower()}@example.com", str(visitors), "")


class Clock:
    def __init__(self, at: datetime = NOW) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def tours_on(store: TicketStore, clock: Clock | None = None, cap: int = 5) -> TourDesk:
    desk = TicketDesk(store, max_live_tickets_per_asker=cap, clock=clock or Clock())
    return TourDesk(desk, BERLIN)


def test_slots_round_trip_in_utc_and_list_soonest_first(store: TicketStore) -> None:
    tours = tours_on(store)
    later = tours.add_slot("2026-12-09T10:00", 4, 90, "bring ID", by=ADA)
    sooner = tours.add_slot("2026-12-08T14:00", 6)
    assert sooner.starts_at == datetime(2026, 12, 8, 13, 0, tzinfo=UTC)  # 14:00 CET
    assert (later.capacity, later.length_minutes, later.note, later.created_by) == (4, 90, "bring ID", "cli:ada")
    assert [s.id for s in store.tour_slots()] == [sooner.id, later.id]
    assert store.tour_slot(later.id) == later and later.booked == 0 and later.remaining == 4
    with pytest.raises(SlotNotFound):
        store.tour_slot(999)
    with pytest.raises(SlotNotFound):
        store.tour_slot(2**70)


def test_a_booking_is_a_tour_ticket_with_the_slot_in_its_details(store: TicketStore) -> None:
    tours = tours_on(store)
    slot = tours.add_slot("2026-12-08T14:00", 6)
    who = asker("u1", display_name="Robin")
    ticket, booking = tours.book(who, slot.id, BookingDetails("Robin", "robin@example.com", "3", "a parent"),
                                 "Can I visit?")
    assert ticket.kind is TicketKind.TOUR and ticket.status is TicketStatus.OPEN
    assert ticket.question == "Can I visit?" and ticket.asker == who
    assert ticket.contact is not None and ticket.contact.email == "robin@example.com"
    assert ticket.contact.preferred_times == f"slot #{slot.id}: Tue 8 Dec 2026, 14:00–15:00 CET; 3 visitors"
    assert [e.action for e in ticket.events] == ["created", "tour_booked"]
    assert booking.status is BookingStatus.BOOKED and booking.visitors == 3 and booking.slot.booked == 3
    assert booking.remind_at == slot.starts_at - timedelta(hours=24)
    assert store.tour_slot(slot.id).remaining == 3
    assert store.tour_booking(ticket.number) == booking
    assert [(t.number, b.visitors) for t, b in store.tour_roster(slot.id)] == [(ticket.number, 3)]
    assert store.tour_bookings_for("discord", "u1") == [booking]
    assert store.get(ticket.number).contact == ticket.contact  # the queue sees it like any tour ticket


def test_capacity_too_few_places_cancelled_past_and_double_bookings_are_refused(store: TicketStore) -> None:
    clock = Clock()
    tours = tours_on(store, clock)
    slot = tours.add_slot("2026-12-08T14:00", 3)
    tours.book(asker("a"), slot.id, details("Al", 2))
    with pytest.raises(SlotUnavailable) as too_many:
        tours.book(asker("b"), slot.id, details("Bo", 2))
    assert too_many.value.slot.remaining == 1
    tours.book(asker("b"), slot.id, details("Bo", 1))
    with pytest.raises(SlotUnavailable):
        tours.book(asker("c"), slot.id, details("Cy", 1))  # full
    with pytest.raises(AlreadyBooked):
        tours.book(asker("a"), slot.id, details("Al", 1))
    other = tours.add_slot("2026-12-09T14:00", 3)
    tours.cancel_slot(other.id, ADA, "snow")
    with pytest.raises(SlotUnavailable):
        tours.book(asker("c"), other.id, details("Cy"))
    clock.at = datetime(2026, 12, 8, 13, 0, tzinfo=UTC)  # the first tour starts now
    late = tours.add_slot("2026-12-08T15:00", 3)
    clock.at = late.starts_at
    with pytest.raises(SlotUnavailable):
        tours.book(asker("c"), late.id, details("Cy"))
    assert store.tour_slot(slot.id).booked == 3
    assert len(store.list_tickets()) == 2  # nothing else was filed


def test_the_open_ticket_cap_counts_bookings(store: TicketStore) -> None:
    tours = tours_on(store, cap=1)
    first, second = tours.add_slot("2026-12-08T14:00", 3), tours.add_slot("2026-12-09T14:00", 3)
    tours.book(asker("a"), first.id, details())
    with pytest.raises(TicketCapReached):
        tours.book(asker("a"), second.id, details())


def test_student_cancels_and_moves_their_own_bookings_only(store: TicketStore) -> None:
    tours = tours_on(store)
    first, second = tours.add_slot("2026-12-08T14:00", 3), tours.add_slot("2026-12-09T14:00", 2)
    me, someone = asker("me", display_name="Me"), asker("other")
    ticket, _ = tours.book(me, first.id, details("Me", 2))
    with pytest.raises(BookingNotFound):
        tours.move_booking(someone, ticket.number, second.id)
    with pytest.raises(BookingNotFound):
        tours.cancel_booking(someone, ticket.number)
    moved = tours.move_booking(me, ticket.number, second.id)
    assert moved.slot.id == second.id and moved.slot.booked == 2 and store.tour_slot(first.id).booked == 0
    assert moved.remind_at == second.starts_at - timedelta(hours=24)
    after = store.get(ticket.number)
    assert after.contact is not None and after.contact.preferred_times.startswith(f"slot #{second.id}: Wed 9 Dec")
    assert ("tour_moved", f"slot #{first.id} -> slot #{second.id}") in [(e.action, e.detail) for e in after.events]
    third = tours.add_slot("2026-12-10T14:00", 1)
    with pytest.raises(SlotUnavailable):
        tours.move_booking(me, ticket.number, third.id)  # two visitors, one place
    cancelled = tours.cancel_booking(me, ticket.number)
    assert cancelled.status is BookingStatus.CANCELLED and store.tour_slot(second.id).booked == 0
    closed = store.get(ticket.number)
    assert closed.status is TicketStatus.CLOSED and closed.close_reason == CANCELLED_BY_STUDENT
    with pytest.raises(TransitionError):
        tours.cancel_booking(me, ticket.number)
    with pytest.raises(TransitionError):
        tours.move_booking(me, ticket.number, first.id)


def test_cancelling_a_slot_closes_its_bookings_and_queues_one_notice_each(store: TicketStore) -> None:
    tours = tours_on(store)
    slot = tours.add_slot("2026-12-08T14:00", 5)
    a, _ = tours.book(asker("a"), slot.id, details("Al"))
    b, _ = tours.book(asker("b"), slot.id, details("Bo"))
    c, _ = tours.book(asker("c"), slot.id, details("Cy"))
    tours.cancel_booking(asker("c"), c.number)  # cancelled before: not told again
    cancelled, numbers = tours.cancel_slot(slot.id, ADA, "The studio is flooded")
    assert cancelled.cancelled and cancelled.cancel_reason == "The studio is flooded" and cancelled.booked == 0
    assert numbers == [a.number, b.number]
    for n in numbers:
        ticket = store.get(n)
        assert ticket.status is TicketStatus.CLOSED and ticket.closed_at is not None
        assert [(e.action, e.actor) for e in ticket.events][-2:] == [("tour_slot_cancelled", "cli:ada"),
                                                                     ("closed", "cli:ada")]
        assert ticket.events[-1].by == ADA  # staff are named in the log like every queue action
        assert ticket.close_reason == f"Tour slot #{slot.id} was cancelled: The studio is flooded"
        assert store.tour_booking(n).status is BookingStatus.SLOT_CANCELLED
    with pytest.raises(TransitionError):
        tours.cancel_slot(slot.id, ADA)
    notices = tours.take_notices("p1", 30)
    assert [(n.kind, n.booking.ticket_number) for n in notices] == [(NoticeKind.SLOT_CANCELLED, a.number),
                                                                   (NoticeKind.SLOT_CANCELLED, b.number)]
    assert tours.take_notices("p2", 30) == []  # leased: nobody else sends them
    assert [tours.notice_sent(n) for n in notices] == [True, True]
    assert [tours.notice_sent(n) for n in notices] == [False, False]  # once
    assert tours.take_notices("p2", 30, platform="discord") == []


def test_a_reminder_falls_due_once_and_not_after_the_tour_starts(store: TicketStore) -> None:
    clock = Clock()
    tours = tours_on(store, clock)
    slot = tours.add_slot("2026-12-08T14:00", 5)
    ticket, booking = tours.book(asker("a"), slot.id, details())
    assert booking.remind_at is not None
    assert tours.take_notices("p", 30) == []  # not due yet
    clock.at = booking.remind_at
    [notice] = tours.take_notices("p", 30)
    assert notice.kind is NoticeKind.REMINDER and notice.ticket.number == ticket.number
    assert tours.notice_failed(notice, "DMs closed", retry_in=0) == 1
    [again] = tours.take_notices("p", 30)  # retried after a failure
    assert tours.notice_sent(again) and not tours.notice_sent(again)
    assert tours.take_notices("p", 30) == []
    late, _ = tours.book(asker("b"), slot.id, details())
    assert store.tour_booking(late.number).remind_at is None  # booked inside the window: no reminder
    other = tours.add_slot("2026-12-20T14:00", 5)
    tours.move_booking(asker("a"), ticket.number, other.id)  # a new time: a new reminder, once
    clock.at = other.starts_at + timedelta(minutes=1)
    assert tours.take_notices("p", 30) == []  # the tour has started: too late to remind


def test_a_notice_that_keeps_failing_is_given_up(store: TicketStore) -> None:
    tours = tours_on(store)
    slot = tours.add_slot("2026-12-08T14:00", 5)
    tours.book(asker("a"), slot.id, details())
    tours.cancel_slot(slot.id, ADA)
    for attempt in range(1, 6):
        [notice] = tours.take_notices("p", 30)
        assert tours.notice_failed(notice, "DMs closed", retry_in=0) == attempt
    assert tours.take_notices("p", 30) == []
    [event] = [e for e in store.get(notice.ticket.number).events if e.action == "tour_notice_failed"][:1]
    assert "DMs closed" in event.detail


# -- the last places, booked at once --------------------------------------------------------------
def _book_or_full(tours: TourDesk, who: Asker, slot_id: int, visitors: int = 1) -> int:
    try:
        tours.book(who, slot_id, details(f"S{who.user_id}", visitors))
        return visitors
    except SlotUnavailable:
        return 0


def test_threads_booking_the_last_places_never_overbook(backend: Any) -> None:
    stores = [backend.open() for _ in range(6)]
    slot = tours_on(stores[0]).add_slot("2026-12-08T14:00", 7)
    barrier = threading.Barrier(12)

    def go(i: int) -> int:
        tours = tours_on(stores[i % 6])
        barrier.wait()
        return _book_or_full(tours, asker(f"s{i}"), slot.id, 1 + i % 2)

    with ThreadPoolExecutor(max_workers=12) as pool:
        taken = sum(pool.map(go, range(12)))
    booked = stores[0].tour_slot(slot.id).booked
    assert booked == taken <= 7
    assert booked >= 6  # the places ran out, not the bookings: only a 2-visitor booking can miss the last one
    assert sum(b.visitors for _, b in stores[0].tour_roster(slot.id)) == booked


def _process_booker(url: str, worker: int, slot_id: int, start: Any, out: Any) -> None:
    """Runs in a spawned process: its own store, booking one place after another until refused."""
    store = open_store(url)
    try:
        tours = tours_on(store)
        start.wait()
        got = 0
        for i in range(4):
            got += _book_or_full(tours, asker(f"p{worker}-{i}"), slot_id)
        out.put(got)
    finally:
        store.close_store()


def test_processes_booking_the_last_places_never_overbook(backend: Any, tmp_path: Path) -> None:
    """Separate OS processes (each its own store and connections) race for 5 places: exactly 5 are taken."""
    store = backend.open()
    slot = tours_on(store).add_slot("2026-12-08T14:00", 5)
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_process_booker, args=(backend.url, w, slot.id, start, out)) for w in range(4)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * 4
    taken = sum(out.get(timeout=5) for _ in procs)
    assert taken == store.tour_slot(slot.id).booked == 5
    assert len([t for t in store.list_tickets(limit=100) if t.kind is TicketKind.TOUR]) == 5
