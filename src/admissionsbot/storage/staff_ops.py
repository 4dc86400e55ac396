"""The staff half of the TicketStore: who staff are (the `staff` table) and hand-over of tickets.

Written once for both backends (SQLTicketStore mixes it in, like leases.py).
Tickets, replies and events name a staff member by the key "platform:user_id"
(core/staff.py); the `staff` table (schema v8) keeps each one's latest name,
refreshed in the same transaction as every queue action they take, and every
read resolves keys to names through it. So a member who renames themselves
keeps their claims, and cards, listings and history show the new name.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, ClassVar

from ..core import handover
from ..core.models import FollowUp, Staff, Ticket, TicketStatus
from ..core.staff import staff_from_key
from .hooks import SQLHooks
from .rows import staff_names, ticket_from_row, to_utc

_OPEN = TicketStatus.OPEN.value
#: The actor of events a student causes (their name stays on the ticket, not in the log).
STUDENT_ACTOR = "student"


class StaffDirectory(SQLHooks):
    """Staff names and the locked read every hand-over starts from."""

    _lock_clause: ClassVar[str] = ""

    # -- names ----------------------------------------------------------------------------
    def _remember_staff(self, conn: Any, staff: Staff, at: datetime) -> Staff:
        """Record `staff`'s latest name (a nameless value, e.g. `--as discord:ID`, keeps the stored one).

        Returns the member with the name now stored, for the messages and rows built from it.
        """
        if staff.name:
            self._exec(
                conn,
                "INSERT INTO staff (staff_id, platform, user_id, name, seen_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (staff_id) DO UPDATE SET name = excluded.name, seen_at = excluded.seen_at",
                (staff.key, staff.platform, staff.user_id, staff.name, self._ts(at)),
            )
            return staff
        self._exec(
            conn,
            "INSERT INTO staff (staff_id, platform, user_id, name, seen_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (staff_id) DO NOTHING",
            (staff.key, staff.platform, staff.user_id, staff.user_id, self._ts(at)),
        )
        return self._staff_map(conn, [staff.key]).get(staff.key, staff)

    def _staff_map(self, conn: Any, keys: Iterable[str | None]) -> dict[str, Staff]:
        """Key -> Staff (with the stored name) for every key the `staff` table knows."""
        return staff_names(lambda sql, params: self._exec(conn, sql, params).fetchall(), keys)

    def _current(self, conn: Any, number: int) -> Ticket:
        """The ticket row, locked for the change about to be made, its claimer named (no replies or events)."""
        row = self._row(conn, number, lock=True)
        return ticket_from_row(row, staff=self._staff_map(conn, [row["claimed_by"]]))

    def staff_members(self) -> list[Staff]:
        """Everyone who has worked the queue, by latest name."""
        with self._tx(write=False) as conn:
            rows = self._exec(conn, "SELECT platform, user_id, name FROM staff ORDER BY name, staff_id").fetchall()
        return [Staff(str(r["platform"]), str(r["user_id"]), str(r["name"])) for r in rows]

    def staff_member(self, key: str) -> Staff:
        """One member by key, with the stored name (or the key read as core/staff.py reads unknown values)."""
        with self._tx(write=False) as conn:
            return staff_from_key(key, self._staff_map(conn, [key]))


class HandOver(StaffDirectory):
    """Release, assign, reopen, and students' follow-ups: each one locked row, one rule check, one event."""

    def release(self, number: int, by: Staff, at: datetime, release_after: timedelta | None) -> Ticket:
        at = to_utc(at)
        with self._tx(write=True) as conn:
            current = self._current(conn, number)
            by = self._remember_staff(conn, by, at)
            note = handover.check_release(current, by, at, release_after)
            self._exec(conn, "UPDATE tickets SET status = ?, claimed_by = NULL, claimed_at = NULL, open_since = ?, "
                             "updated_at = ? WHERE number = ?", (_OPEN, self._ts(at), self._ts(at), number))
            self._event(conn, number, by.key, "released", note, at)
            return self._full(conn, number)

    def assign(self, number: int, by: Staff, to: Staff, at: datetime, release_after: timedelta | None) -> Ticket:
        at = to_utc(at)
        with self._tx(write=True) as conn:
            current = self._current(conn, number)
            by = self._remember_staff(conn, by, at)
            to = self._remember_staff(conn, to, at)
            change = handover.check_assign(current, by, to, at, release_after)
            if change is not None:
                self._exec(conn, "UPDATE tickets SET status = ?, claimed_by = ?, claimed_at = ?, updated_at = ? "
                                 "WHERE number = ?",
                           (change.status.value, to.key, self._ts(at), self._ts(at), number))
                detail = f"to {to.key}" + (f" ({change.note})" if change.note else "")
                self._event(conn, number, by.key, "assigned", detail, at)
            return self._full(conn, number)

    def reopen(self, number: int, by: Staff, at: datetime) -> Ticket:
        at = to_utc(at)
        with self._tx(write=True) as conn:
            handover.check_reopen(self._current(conn, number))
            by = self._remember_staff(conn, by, at)
            self._exec(conn, "UPDATE tickets SET status = ?, claimed_by = NULL, claimed_at = NULL, "
                             "close_reason = NULL, closed_at = NULL, open_since = ?, waiting_since = ?, updated_at = ? "
                             "WHERE number = ?",
                       (_OPEN, self._ts(at), self._ts(at), self._ts(at), number))
            self._event(conn, number, by.key, "reopened", "", at)
            return self._full(conn, number)

    def add_followup(self, number: int, platform: str, user_id: str, text: str, at: datetime) -> Ticket:
        """The student's message joins their ticket; the ticket goes back to claimed (or open)."""
        at = to_utc(at)
        with self._tx(write=True) as conn:
            current = self._current(conn, number)
            status = handover.check_followup(current, platform, user_id, text)
            ts = self._ts(at)
            followup_id = self._insert(conn, "INSERT INTO followups (ticket_number, text, created_at) VALUES (?, ?, ?)",
                                       (number, text, ts), "id")
            open_since = current.open_since
            if status is TicketStatus.OPEN and current.status is not TicketStatus.OPEN:
                open_since = at  # back in the unclaimed queue from now
            self._exec(conn, "UPDATE tickets SET status = ?, waiting_since = ?, updated_at = ?, close_reason = NULL, "
                             "closed_at = NULL, open_since = ? WHERE number = ?",
                       (status.value, ts, ts, None if open_since is None else self._ts(open_since), number))
            self._event(conn, number, STUDENT_ACTOR, "followup", f"message {followup_id}", at)
            return self._full(conn, number)

    # -- telling the claimer: each follow-up once, by whichever process takes it first ------------
    def take_followup_notice(self, followup_id: int, at: datetime) -> bool:
        """Mark a follow-up as announced; True only for the caller that marked it (it then posts the notice)."""
        with self._tx(write=True) as conn:
            return bool(self._exec(conn, "UPDATE followups SET notified_at = ? WHERE id = ? AND notified_at IS NULL",
                                   (self._ts(to_utc(at)), followup_id)).rowcount == 1)

    def release_followup_notice(self, followup_id: int) -> None:
        """The notice could not be posted: leave it for the next retry pass."""
        with self._tx(write=True) as conn:
            self._exec(conn, "UPDATE followups SET notified_at = NULL WHERE id = ?", (followup_id,))

    def unannounced_followups(self, limit: int = 50) -> list[tuple[Ticket, FollowUp]]:
        """Follow-ups nobody has announced yet (e.g. typed in the console), oldest first."""
        sql = "SELECT id, ticket_number FROM followups WHERE notified_at IS NULL ORDER BY created_at, id LIMIT ?"
        with self._tx(write=False) as conn:
            rows = self._exec(conn, sql, (max(limit, 0),)).fetchall()
            pairs: list[tuple[Ticket, FollowUp]] = []
            for row in rows:
                ticket = self._full(conn, int(row["ticket_number"]))
                pairs.extend((ticket, f) for f in ticket.followups if f.id == int(row["id"]))
            return pairs

    # -- reminders (core/reminders.py): recorded before they are posted, so each is posted once ----
    def mark_reminded(self, number: int, seen: int, at: datetime) -> bool:
        """Record a reminder about a ticket whose count is still `seen`; False when someone recorded one meanwhile."""
        with self._tx(write=True) as conn:
            return bool(self._exec(conn, "UPDATE tickets SET reminded_at = ?, reminders = reminders + 1 "
                                         "WHERE number = ? AND reminders = ?",
                                   (self._ts(to_utc(at)), number, seen)).rowcount == 1)

    def unmark_reminded(self, number: int, count: int, previous: datetime | None) -> None:
        """Take back reminder number `count` (its post failed), restoring the time of the one before."""
        with self._tx(write=True) as conn:
            self._exec(conn, "UPDATE tickets SET reminded_at = ?, reminders = reminders - 1 "
                             "WHERE number = ? AND reminders = ?",
                       (None if previous is None else self._ts(to_utc(previous)), number, count))
