"""Campus tour slots and bookings, written once for both backends (SQLTicketStore mixes this in).

Tables (schema step "tour slots"): `tour_slots` (what staff publish) and
`tour_bookings` (one row per booking, keyed by its ticket's number). A booking
is a ticket of kind tour: the student's name, email and notes live in the
ticket's contact columns and the slot in its `contact_preferred_times`, so
forgetting a student's contact details (privacy) covers bookings with the
tickets. `tour_bookings` itself holds no personal data: the slot, the number of
visitors, the booking's state and the bookkeeping of its reminder and
cancellation notice (sent once: a lease, then `reminded_at` / `notified_at`).

Capacity is exact across processes: every booking, and every move into a slot,
locks the slot's row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
writers are serial under BEGIN IMMEDIATE), then sums the live bookings and
inserts in the same transaction, so of many students booking the last places at
once, the places run out and the rest are told the slot is full. Lock order is
asker, then slot, then booking and ticket rows, everywhere, so no two of these
transactions can wait on each other in a circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from ..core.errors import TicketCapReached, TransitionError
from ..core.limits import CLOSE_REASON_CHARS
from ..core.models import NewTicket, Staff, Ticket, TicketStatus
from ..core.tours import (
    AlreadyBooked,
    BookingNotFound,
    BookingStatus,
    NewTourSlot,
    NoticeKind,
    SlotNotFound,
    SlotUnavailable,
    TourBooking,
    TourNotice,
    TourSlot,
    bookable,
)
from .hooks import SQLHooks
from .rows import Row, chunks, marks, new_ticket_values, parse_ts, to_utc

_BOOKED = BookingStatus.BOOKED.value
_SLOT_SELECT = ("SELECT s.*, COALESCE((SELECT SUM(b.visitors) FROM tour_bookings b WHERE b.slot_id = s.id "
                f"AND b.status = '{_BOOKED}'), 0) AS booked FROM tour_slots s")
#: A notice due now (`?` x2: the business clock) that nobody holds (`?`: the lease clock) and is not given up (`?`).
_DUE = (f"((b.status = '{_BOOKED}' AND b.reminded_at IS NULL AND b.remind_at <= ? AND s.starts_at > ? "
        "AND s.cancelled_at IS NULL) "
        f"OR (b.status = '{BookingStatus.SLOT_CANCELLED.value}' AND b.notified_at IS NULL)) "
        "AND b.notice_attempts < ? AND (b.notice_until IS NULL OR b.notice_until <= ?)")
_MAX_ID = 2**63 - 1


def _ts_of(row: Row, column: str) -> datetime | None:
    return parse_ts(row[column])


def slot_from_row(row: Row) -> TourSlot:
    starts = parse_ts(row["starts_at"])
    assert starts is not None
    return TourSlot(
        id=int(row["id"]), starts_at=starts, length_minutes=int(row["length_minutes"]),
        capacity=int(row["capacity"]), booked=int(row["booked"] or 0), note=row["note"] or "",
        created_by=row["created_by"] or "", created_at=_ts_of(row, "created_at"),
        cancelled_at=_ts_of(row, "cancelled_at"), cancel_reason=row["cancel_reason"],
    )


def booking_from_row(row: Row, slot: TourSlot) -> TourBooking:
    booked_at, updated_at = parse_ts(row["booked_at"]), parse_ts(row["updated_at"])
    assert booked_at is not None and updated_at is not None
    return TourBooking(
        ticket_number=int(row["ticket_number"]), slot=slot, visitors=int(row["visitors"]),
        status=BookingStatus(row["status"]), booked_at=booked_at, updated_at=updated_at,
        remind_at=_ts_of(row, "remind_at"), reminded_at=_ts_of(row, "reminded_at"),
        notified_at=_ts_of(row, "notified_at"), notice_attempts=int(row["notice_attempts"]),
    )


class TourStore(SQLHooks):
    """The tour half of the TicketStore (core/ports.py), over the same connections and transactions."""

    _lock_clause: ClassVar[str]

    # -- reading ----------------------------------------------------------------------------
    def _slot(self, conn: Any, slot_id: int, lock: bool = False) -> TourSlot:
        if not 1 <= slot_id <= _MAX_ID:
            raise SlotNotFound(slot_id)
        if lock:  # taken before the places are summed: bookings into this slot queue here
            self._exec(conn, "SELECT id FROM tour_slots WHERE id = ?" + self._lock_clause, (slot_id,))
        row = self._exec(conn, _SLOT_SELECT + " WHERE s.id = ?", (slot_id,)).fetchone()
        if row is None:
            raise SlotNotFound(slot_id)
        return slot_from_row(row)

    def _booking_row(self, conn: Any, number: int, lock: bool = False) -> Row:
        row = None
        if 1 <= number <= _MAX_ID:
            sql = "SELECT * FROM tour_bookings WHERE ticket_number = ?" + (self._lock_clause if lock else "")
            row = self._exec(conn, sql, (number,)).fetchone()
        if row is None:
            raise BookingNotFound(number)
        return row

    def _booking(self, conn: Any, number: int) -> TourBooking:
        row = self._booking_row(conn, number)
        return booking_from_row(row, self._slot(conn, int(row["slot_id"])))

    def _bookings(self, conn: Any, rows: Sequence[Row]) -> list[TourBooking]:
        slots = {s.id: s for s in (self._slot(conn, i) for i in sorted({int(r["slot_id"]) for r in rows}))}
        return [booking_from_row(r, slots[int(r["slot_id"])]) for r in rows]

    def tour_slot(self, slot_id: int) -> TourSlot:
        with self._tx(write=False) as conn:
            return self._slot(conn, slot_id)

    def tour_slots(self, starts_after: datetime | None = None, until: datetime | None = None, *,
                   include_cancelled: bool = True, limit: int = 200) -> list[TourSlot]:
        where, params = ["1 = 1"], []
        if starts_after is not None:
            where.append("s.starts_at > ?")
            params.append(self._ts(to_utc(starts_after)))
        if until is not None:
            where.append("s.starts_at <= ?")
            params.append(self._ts(to_utc(until)))
        if not include_cancelled:
            where.append("s.cancelled_at IS NULL")
        sql = f"{_SLOT_SELECT} WHERE {' AND '.join(where)} ORDER BY s.starts_at, s.id LIMIT ?"
        with self._tx(write=False) as conn:
            return [slot_from_row(r) for r in self._exec(conn, sql, (*params, max(0, min(limit, _MAX_ID))))]

    def tour_booking(self, number: int) -> TourBooking:
        with self._tx(write=False) as conn:
            return self._booking(conn, number)

    def tour_roster(self, slot_id: int) -> list[tuple[Ticket, TourBooking]]:
        """Every booking ever made in the slot (cancelled ones too), first booked first, with its ticket."""
        with self._tx(write=False) as conn:
            self._slot(conn, slot_id)
            rows = self._exec(conn, "SELECT * FROM tour_bookings WHERE slot_id = ? ORDER BY booked_at, ticket_number",
                              (slot_id,)).fetchall()
            return self._with_tickets(conn, self._bookings(conn, rows))

    def tour_bookings_for(self, platform: str, user_id: str, limit: int = 25) -> list[TourBooking]:
        """One student's bookings, the soonest tour first."""
        sql = ("SELECT b.* FROM tour_bookings b JOIN tickets t ON t.number = b.ticket_number "
               "JOIN tour_slots s ON s.id = b.slot_id WHERE t.asker_platform = ? AND t.asker_user_id = ? "
               "ORDER BY s.starts_at, b.ticket_number LIMIT ?")
        with self._tx(write=False) as conn:
            return self._bookings(conn, self._exec(conn, sql, (platform, user_id, max(0, limit))).fetchall())

    def _with_tickets(self, conn: Any, bookings: list[TourBooking]) -> list[tuple[Ticket, TourBooking]]:
        numbers = [b.ticket_number for b in bookings]
        tickets = {t.number: t for t in self._load(conn, self._rows(conn, "tickets", "number", numbers))}
        return [(tickets[b.ticket_number], b) for b in bookings if b.ticket_number in tickets]

    # -- staff --------------------------------------------------------------------------------
    def add_tour_slot(self, slot: NewTourSlot, at: datetime) -> TourSlot:
        with self._tx(write=True) as conn:
            slot_id = self._insert(
                conn, "INSERT INTO tour_slots (starts_at, length_minutes, capacity, note, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (self._ts(to_utc(slot.starts_at)), slot.length_minutes, slot.capacity, slot.note, slot.created_by,
                 self._ts(to_utc(at))), "id")
            return self._slot(conn, slot_id)

    def cancel_tour_slot(self, slot_id: int, by: Staff, reason: str | None, at: datetime
                         ) -> tuple[TourSlot, list[int]]:
        """Cancel a slot: its live bookings become slot_cancelled (each student is told once, by the
        notice machinery) and their tickets close. Returns the slot and those tickets' numbers."""
        at = to_utc(at)
        with self._tx(write=True) as conn:
            if self._slot(conn, slot_id, lock=True).cancelled:
                raise TransitionError(f"Tour slot #{slot_id} is already cancelled.")
            actor = self._remember_staff(conn, by, at).key  # events name staff by key, like every queue action
            self._exec(conn, "UPDATE tour_slots SET cancelled_at = ?, cancel_reason = ? WHERE id = ?",
                       (self._ts(at), reason, slot_id))
            sql = "SELECT ticket_number FROM tour_bookings WHERE slot_id = ? AND status = ? ORDER BY ticket_number"
            numbers = [int(r["ticket_number"]) for r in
                       self._exec(conn, sql + self._lock_clause, (slot_id, _BOOKED)).fetchall()]
            why = f"Tour slot #{slot_id} was cancelled" + (f": {reason}" if reason else ".")
            for number in numbers:
                self._exec(conn, "UPDATE tour_bookings SET status = ?, updated_at = ?, notified_at = NULL, "
                           "notice_attempts = 0, notice_owner = NULL, notice_until = NULL WHERE ticket_number = ?",
                           (BookingStatus.SLOT_CANCELLED.value, self._ts(at), number))
                self._event(conn, number, actor, "tour_slot_cancelled", reason or "", at)
                self._close(conn, number, actor, why, at)
            return self._slot(conn, slot_id), numbers

    def _close(self, conn: Any, number: int, actor: str, reason: str, at: datetime) -> None:
        """Close the booking's ticket unless staff already did (a closed ticket may still hold a booking)."""
        if self._row(conn, number, lock=True)["status"] == TicketStatus.CLOSED.value:
            return
        reason = reason[:CLOSE_REASON_CHARS]
        self._exec(conn, "UPDATE tickets SET status = ?, close_reason = ?, updated_at = ?, closed_at = ? "
                   "WHERE number = ?", (TicketStatus.CLOSED.value, reason, self._ts(at), self._ts(at), number))
        self._event(conn, number, actor, "closed", reason, at)

    # -- students -----------------------------------------------------------------------------
    def book_tour(self, new: NewTicket, slot_id: int, visitors: int, at: datetime, remind_at: datetime | None,
                  max_live: int | None = None) -> tuple[Ticket, TourBooking]:
        """File the booking's ticket and take `visitors` places, or raise and change nothing:
        AlreadyBooked (this asker holds a place in the slot), TicketCapReached, SlotNotFound,
        SlotUnavailable (cancelled, started, or too few places left, checked under the slot's lock)."""
        at = to_utc(at)
        who = new.asker
        values = new_ticket_values(new)
        values.update(status=TicketStatus.OPEN.value, candidates=self._json([]), created_at=self._ts(at),
                      updated_at=self._ts(at))
        with self._tx(write=True) as conn:
            self._lock_asker(conn, who.platform, who.user_id)
            same = self._exec(
                conn, "SELECT b.ticket_number FROM tour_bookings b JOIN tickets t ON t.number = b.ticket_number "
                "WHERE t.asker_platform = ? AND t.asker_user_id = ? AND b.slot_id = ? AND b.status = ?",
                (who.platform, who.user_id, slot_id, _BOOKED)).fetchone()
            if same is not None:
                raise AlreadyBooked(int(same["ticket_number"]))
            if max_live is not None:
                live = self._count_live(conn, who.platform, who.user_id)
                if live >= max_live:
                    raise TicketCapReached(live)
            slot = self._slot(conn, slot_id, lock=True)
            if not bookable(slot, at, visitors):
                raise SlotUnavailable(slot, "That tour time cannot take this booking.")
            number = self._insert(conn, f"INSERT INTO tickets ({', '.join(values)}) VALUES ({marks(len(values))})",
                                  list(values.values()), "number")
            actor = who.display_name or who.user_id
            self._event(conn, number, actor, "created", new.kind.value, at)
            self._exec(conn, "INSERT INTO tour_bookings (ticket_number, slot_id, visitors, status, booked_at, "
                       "updated_at, remind_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (number, slot_id, visitors, _BOOKED, self._ts(at), self._ts(at),
                        None if remind_at is None else self._ts(remind_at)))
            self._event(conn, number, actor, "tour_booked", f"slot #{slot_id}, {visitors} visitor(s)", at)
            return self._full(conn, number), self._booking(conn, number)

    def _own_live_booking(self, conn: Any, number: int, platform: str, user_id: str) -> Row:
        """The booking row, locked, if this asker's and still booked."""
        row = self._booking_row(conn, number, lock=True)
        ticket = self._row(conn, number, lock=True)
        if (ticket["asker_platform"], ticket["asker_user_id"]) != (platform, user_id):
            raise BookingNotFound(number)  # someone else's: as if it did not exist
        if row["status"] != _BOOKED:
            raise TransitionError(f"Your tour booking #{number} was already cancelled.")
        return row

    def cancel_tour_booking(self, number: int, platform: str, user_id: str, actor: str, reason: str,
                            at: datetime) -> TourBooking:
        """The student gives their places back; the booking's ticket closes with `reason`."""
        at = to_utc(at)
        with self._tx(write=True) as conn:
            self._own_live_booking(conn, number, platform, user_id)
            self._exec(conn, "UPDATE tour_bookings SET status = ?, updated_at = ?, notice_owner = NULL, "
                       "notice_until = NULL WHERE ticket_number = ?",
                       (BookingStatus.CANCELLED.value, self._ts(at), number))
            self._event(conn, number, actor, "tour_cancelled", "", at)
            self._close(conn, number, actor, reason, at)
            return self._booking(conn, number)

    def move_tour_booking(self, number: int, slot_id: int, platform: str, user_id: str, details: str,
                          remind_at: datetime | None, at: datetime) -> TourBooking:
        """Move a live booking to another slot, with the same capacity rule as a new booking; `details`
        replaces the slot in the ticket's tour details, and the reminder starts over for the new time."""
        at = to_utc(at)
        with self._tx(write=True) as conn:
            target = self._slot(conn, slot_id, lock=True)
            row = self._own_live_booking(conn, number, platform, user_id)
            old = int(row["slot_id"])
            if old == slot_id:
                return self._booking(conn, number)
            if not bookable(target, at, int(row["visitors"])):
                raise SlotUnavailable(target, "That tour time cannot take this booking.")
            self._exec(conn, "UPDATE tour_bookings SET slot_id = ?, updated_at = ?, remind_at = ?, reminded_at = NULL, "
                       "notice_attempts = 0, notice_owner = NULL, notice_until = NULL WHERE ticket_number = ?",
                       (slot_id, self._ts(at), None if remind_at is None else self._ts(remind_at), number))
            self._exec(conn, "UPDATE tickets SET contact_preferred_times = ?, updated_at = ? WHERE number = ?",
                       (details, self._ts(at), number))
            self._event(conn, number, str(self._row(conn, number)["asker_display_name"]), "tour_moved",
                        f"slot #{old} -> slot #{slot_id}", at)
            return self._booking(conn, number)

    # -- reminders and cancellation notices: each sent once ----------------------------------
    def take_tour_notices(self, owner: str, until: datetime, lease_now: datetime, due_now: datetime,
                          platform: str | None = None, user_id: str | None = None, limit: int = 20,
                          max_attempts: int = 5) -> list[TourNotice]:
        """Lease up to `limit` due notices nobody holds (soonest tour first); two callers never share one."""
        if limit <= 0:
            return []
        where = _DUE
        params: list[Any] = [self._ts(to_utc(due_now)), self._ts(to_utc(due_now)), max_attempts,
                             self._ts(to_utc(lease_now))]
        for column, value in (("t.asker_platform", platform), ("t.asker_user_id", user_id)):
            if value is not None:
                where += f" AND {column} = ?"
                params.append(value)
        sql = ("SELECT b.ticket_number AS pick FROM tour_bookings b JOIN tour_slots s ON s.id = b.slot_id "
               f"JOIN tickets t ON t.number = b.ticket_number WHERE {where} ORDER BY s.starts_at, b.ticket_number "
               "LIMIT ?")
        with self._tx(write=True) as conn:
            numbers = self._pick(conn, sql, (*params, limit), "b")
            for part in chunks(numbers):
                self._exec(conn, f"UPDATE tour_bookings SET notice_owner = ?, notice_until = ? "
                           f"WHERE ticket_number IN ({marks(len(part))})", (owner, self._ts(to_utc(until)), *part))
            bookings = self._bookings(conn, self._rows(conn, "tour_bookings", "ticket_number", numbers))
            return [TourNotice(NoticeKind.REMINDER if b.live else NoticeKind.SLOT_CANCELLED, ticket, b)
                    for ticket, b in self._with_tickets(conn, bookings)]

    def tour_notice_sent(self, notice: TourNotice, at: datetime) -> bool:
        """Record the notice as sent (once: of racing callers only one gets True and writes the event)."""
        at = to_utc(at)
        b = notice.booking
        if notice.kind is NoticeKind.REMINDER:
            sql = ("UPDATE tour_bookings SET reminded_at = ?, notice_owner = NULL, notice_until = NULL "
                   "WHERE ticket_number = ? AND slot_id = ? AND status = ? AND reminded_at IS NULL")
            params: tuple[Any, ...] = (self._ts(at), b.ticket_number, b.slot.id, _BOOKED)
        else:
            sql = ("UPDATE tour_bookings SET notified_at = ?, notice_owner = NULL, notice_until = NULL "
                   "WHERE ticket_number = ? AND status = ? AND notified_at IS NULL")
            params = (self._ts(at), b.ticket_number, BookingStatus.SLOT_CANCELLED.value)
        with self._tx(write=True) as conn:
            if self._exec(conn, sql, params).rowcount != 1:
                return False
            self._event(conn, b.ticket_number, "bot", f"tour_{notice.kind.value}_sent", f"slot #{b.slot.id}", at)
            return True

    def tour_notice_failed(self, notice: TourNotice, error: str, at: datetime, retry_at: datetime | None) -> int:
        """Count a failed send and hold the notice back until `retry_at`; returns the attempts so far."""
        at = to_utc(at)
        number = notice.booking.ticket_number
        with self._tx(write=True) as conn:
            self._exec(conn, "UPDATE tour_bookings SET notice_attempts = notice_attempts + 1, notice_owner = NULL, "
                       "notice_until = ? WHERE ticket_number = ?",
                       (None if retry_at is None else self._ts(to_utc(retry_at)), number))
            self._event(conn, number, "bot", "tour_notice_failed", f"{notice.kind.value}: {error}", at)
            return int(self._booking_row(conn, number)["notice_attempts"])

    def release_tour_notice(self, notice: TourNotice, owner: str) -> None:
        """Give a taken notice back at once (it could not be shown); only its holder can."""
        with self._tx(write=True) as conn:
            self._exec(conn, "UPDATE tour_bookings SET notice_owner = NULL, notice_until = NULL "
                       "WHERE ticket_number = ? AND notice_owner = ?", (notice.booking.ticket_number, owner))
