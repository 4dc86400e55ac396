"""Service-level reminders: which tickets to flag to the staff role, and when.

- An open (unclaimed) ticket is due once it has waited `remind_unclaimed_minutes`
  of *office time* (a ticket filed Friday evening is not late on Saturday).
- A claimed ticket no reply has answered is due after `remind_unanswered_hours`
  (wall-clock hours since the claim or the student's latest message).
- Once per interval: a reminded ticket is due again only one more interval
  after its latest reminder (measured the same way), so the base of each
  count is the latest of "became open / was claimed / student wrote" and
  "was last reminded".
- Never outside office hours: nothing is due while the office is closed.
- Never twice, even across a restart or with two processes: the reminder is
  recorded on the ticket (`reminded_at`, `reminders`) with a compare-and-set
  before it is posted; a post that fails is unrecorded so the next pass tries.

Pure logic plus the store calls that mark; the Discord adapter posts the text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import Ticket, TicketStatus
from .office_hours import OfficeHours
from .ports import TicketStore

UNCLAIMED, UNANSWERED = "unclaimed", "unanswered"
#: Live tickets looked at per pass (an admissions queue is far smaller; the oldest are first in line anyway).
SCAN_LIMIT = 1000


def office_time(hours: OfficeHours, start: datetime, end: datetime, enough: timedelta | None = None) -> timedelta:
    """Office time between two instants (day by day in the office's zone; stops early once `enough`)."""
    total = timedelta()
    if end <= start:
        return total
    local_start, local_end = start.astimezone(hours.zone), end.astimezone(hours.zone)
    day = local_start.date()
    while day <= local_end.date():
        if day.weekday() in hours.days:
            opens = datetime.combine(day, hours.opens, tzinfo=hours.zone)
            closes = datetime.combine(day, hours.closes, tzinfo=hours.zone)
            lo, hi = max(opens, local_start), min(closes, local_end)
            if hi > lo:
                total += hi - lo
                if enough is not None and total >= enough:
                    return total
        day += timedelta(days=1)
    return total


@dataclass(frozen=True)
class Due:
    """A ticket to flag: what it waits for and for how long (office time for unclaimed ones)."""

    ticket: Ticket
    kind: str  # UNCLAIMED or UNANSWERED
    waited: timedelta


def _later(*times: datetime | None) -> datetime | None:
    known = [t for t in times if t is not None]
    return max(known) if known else None


def due(tickets: Iterable[Ticket], now: datetime, hours: OfficeHours, unclaimed: timedelta | None,
        unanswered: timedelta | None) -> list[Due]:
    """The tickets a reminder should flag now, oldest wait first (empty while the office is closed)."""
    if not hours.is_open(now):
        return []
    found = []
    for t in tickets:
        if t.status is TicketStatus.OPEN and unclaimed is not None:
            since = _later(t.open_since or t.created_at, t.reminded_at)
            assert since is not None
            if office_time(hours, since, now, unclaimed) >= unclaimed:
                found.append(Due(t, UNCLAIMED, office_time(hours, t.open_since or t.created_at, now)))
        elif t.status is TicketStatus.CLAIMED and unanswered is not None:
            waiting = _later(t.claimed_at, t.waiting_since) or t.updated_at
            since = _later(waiting, t.reminded_at)
            assert since is not None
            if now - since >= unanswered:
                found.append(Due(t, UNANSWERED, now - waiting))
    return sorted(found, key=lambda d: -d.waited)


def waited_text(d: Due) -> str:
    minutes = int(d.waited.total_seconds() // 60)
    span = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    if d.kind == UNCLAIMED:
        return f"#{d.ticket.number} unclaimed for {span} of office time"
    return f"#{d.ticket.number} claimed by {d.ticket.claimed_by}, no reply for {span}"


class Reminders:
    """Find the due tickets and record each reminder once (see the module docstring)."""

    def __init__(self, store: TicketStore, hours: OfficeHours, clock: Callable[[], datetime], *,
                 unclaimed_minutes: float, unanswered_hours: float) -> None:
        self.store = store
        self.hours = hours
        self.clock = clock
        self.unclaimed = timedelta(minutes=unclaimed_minutes) if unclaimed_minutes > 0 else None
        self.unanswered = timedelta(hours=unanswered_hours) if unanswered_hours > 0 else None

    @property
    def enabled(self) -> bool:
        return self.unclaimed is not None or self.unanswered is not None

    def take_due(self) -> list[Due]:
        """The due tickets this call recorded a reminder for (another process's, or a repeat, are left out)."""
        now = self.clock()
        if not self.enabled or not self.hours.is_open(now):
            return []
        live = [t for status in (TicketStatus.OPEN, TicketStatus.CLAIMED)
                for t in self.store.list_tickets(status, SCAN_LIMIT)]
        return [d for d in due(live, now, self.hours, self.unclaimed, self.unanswered)
                if self.store.mark_reminded(d.ticket.number, d.ticket.reminders, now)]

    def give_back(self, taken: Iterable[Due]) -> None:
        """The post failed: unrecord these reminders so the next pass flags the tickets again."""
        for d in taken:
            self.store.unmark_reminded(d.ticket.number, d.ticket.reminders + 1, d.ticket.reminded_at)
