"""Row <-> model mapping shared by every SQL backend.

Backends hand rows over as mappings (sqlite3.Row, psycopg dict_row); values
differ only in representation (ISO text vs TIMESTAMPTZ, JSON text vs JSONB,
0/1 vs BOOLEAN), and the helpers here accept both, so a ticket read from
SQLite and one read from PostgreSQL are equal field for field.

A value that cannot be read (a hand-edited timestamp, an unknown status)
raises UnreadableRow naming the ticket, the row and the column, never a bare
ValueError: listings leave that ticket out with a warning, `get` reports it.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from ..core.errors import StorageError
from ..core.models import (
    Asker,
    Candidate,
    FiledReason,
    FollowUp,
    NewTicket,
    Reply,
    Staff,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    TourContact,
)
from ..core.staff import staff_from_key

Row = Mapping[str, Any]
#: Runs one `?`-placeholder SELECT and returns its rows.
Fetch = Callable[[str, Sequence[Any]], Sequence[Row]]
T = TypeVar("T")
log = logging.getLogger(__name__)
_CHUNK = 500  # keep IN (...) lists under SQLite's variable limit
_READ_ERRORS = (ValueError, TypeError, KeyError, AttributeError)


class UnreadableRow(StorageError):
    """A stored value this version cannot turn back into a ticket; names where it is."""

    def __init__(self, number: int, column: str, value: Any, expected: str, row: str = "") -> None:
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        where = f"{row}'s {column}" if row else f"its {column}"
        super().__init__(
            f"Ticket #{number} cannot be read: {where} column holds {shown}, which is not "
            f"{expected}. Correct or remove that value in the ticket database."
        )
        self.number = number
        self.column = column


def _read(row: Row, column: str, convert: Callable[[Any], T], expected: str,
          number: int, label: str = "") -> T:
    value = row[column]
    try:
        return convert(value)
    except _READ_ERRORS as exc:
        raise UnreadableRow(number, column, value, expected, label) from exc


def to_utc(at: datetime) -> datetime:
    """Aware UTC datetime; a naive one is taken to be UTC already (the service uses UTC)."""
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


def to_iso(at: datetime) -> str:
    """Fixed-width ISO-8601 UTC text, so SQLite's text ordering is chronological."""
    return to_utc(at).isoformat(timespec="microseconds")


def parse_ts(value: str | datetime | None) -> datetime | None:
    """ISO text (SQLite) or a TIMESTAMPTZ value (PostgreSQL) -> aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not a timestamp: {value!r}")
    return to_utc(value)


def _required_ts(value: str | datetime) -> datetime:
    parsed = parse_ts(value)
    if parsed is None:
        raise ValueError("NULL in a NOT NULL timestamp column")
    return parsed


_TIMESTAMP = "an ISO-8601 timestamp"
_OPTIONAL_TIMESTAMP = "an ISO-8601 timestamp or NULL"


def candidates_data(candidates: Iterable[Candidate]) -> list[dict[str, Any]]:
    """Plain JSON-able form of ranked candidates (stored as JSON text or JSONB)."""
    return [{"entry_id": c.entry_id, "score": c.score} for c in candidates]


def candidates_from(value: str | list[Any] | None) -> tuple[Candidate, ...]:
    if value is None:
        return ()
    data = json.loads(value) if isinstance(value, str) else value
    return tuple(Candidate(entry_id=str(d["entry_id"]), score=float(d["score"])) for d in data)


def new_ticket_values(new: NewTicket) -> dict[str, Any]:
    """Column values of a new ticket that need no backend-specific encoding."""
    contact = new.contact
    return {
        "kind": new.kind.value,
        "asker_platform": new.asker.platform,
        "asker_user_id": new.asker.user_id,
        "asker_display_name": new.asker.display_name,
        "asker_location": new.asker.location,
        "asker_link": new.asker.link,
        "asker_private": bool(new.asker.private),
        "question": new.question,
        "contact_name": contact.name if contact else None,
        "contact_email": contact.email if contact else None,
        "contact_preferred_times": contact.preferred_times if contact else None,
        "contact_notes": contact.notes if contact else None,
        "filed_reason": new.reason.value if new.reason else "",
        "rejected_entry": new.rejected_entry,
    }


def reply_from_row(row: Row, staff: Mapping[str, Staff] | None = None) -> Reply:
    """`staff`: the current names of the keys rows hold (storage/staff_ops.py); without, keys read as ids."""
    number, label = int(row["ticket_number"]), f"reply #{row['id']}"
    return Reply(
        id=int(row["id"]),
        ticket_number=number,
        author=staff_from_key(row["author"], staff),
        text=row["text"],
        created_at=_read(row, "created_at", _required_ts, _TIMESTAMP, number, label),
        delivered_at=_read(row, "delivered_at", parse_ts, _OPTIONAL_TIMESTAMP, number, label),
        delivery_attempts=_read(row, "delivery_attempts", int, "a whole number", number, label),
        last_error=row["last_error"] or "",
    )


def followup_from_row(row: Row) -> FollowUp:
    number = int(row["ticket_number"])
    label = f"follow-up #{row['id']}"
    return FollowUp(
        id=int(row["id"]),
        ticket_number=number,
        text=row["text"],
        created_at=_read(row, "created_at", _required_ts, _TIMESTAMP, number, label),
        notified_at=_read(row, "notified_at", parse_ts, _OPTIONAL_TIMESTAMP, number, label),
    )


def event_from_row(row: Row, staff: Mapping[str, Staff] | None = None) -> TicketEvent:
    number = int(row["ticket_number"])
    return TicketEvent(
        ticket_number=number,
        at=_read(row, "at", _required_ts, _TIMESTAMP, number, f"event #{row['id']}"),
        actor=row["actor"],
        action=row["action"],
        detail=row["detail"] or "",
        by=(staff or {}).get(row["actor"]),
    )


def _choices(enum: type[TicketKind | TicketStatus | FiledReason]) -> str:
    return "one of " + ", ".join(repr(m.value) for m in enum)


_KINDS, _STATUSES = _choices(TicketKind), _choices(TicketStatus)
_REASONS = "empty or " + _choices(FiledReason)
_CANDIDATES = 'a JSON list of {"entry_id", "score"} objects'


def _reason(value: str | None) -> FiledReason | None:
    return FiledReason(value) if value else None


def ticket_from_row(
    row: Row, replies: Iterable[Reply] = (), events: Iterable[TicketEvent] = (),
    staff: Mapping[str, Staff] | None = None, followups: Iterable[FollowUp] = (),
) -> Ticket:
    number = int(row["number"])

    def read(column: str, convert: Callable[[Any], T], expected: str) -> T:
        return _read(row, column, convert, expected, number)

    contact = None
    if row["contact_name"] is not None:
        contact = TourContact(
            name=row["contact_name"],
            email=row["contact_email"] or "",
            preferred_times=row["contact_preferred_times"] or "",
            notes=row["contact_notes"] or "",
        )
    return Ticket(
        number=number,
        kind=read("kind", TicketKind, _KINDS),
        status=read("status", TicketStatus, _STATUSES),
        asker=Asker(
            platform=row["asker_platform"],
            user_id=row["asker_user_id"],
            display_name=row["asker_display_name"],
            location=row["asker_location"] or "",
            link=row["asker_link"] or "",
            private=bool(row["asker_private"]),
        ),
        question=row["question"],
        created_at=read("created_at", _required_ts, _TIMESTAMP),
        updated_at=read("updated_at", _required_ts, _TIMESTAMP),
        candidates=read("candidates", candidates_from, _CANDIDATES),
        contact=contact,
        claimed_by=staff_from_key(row["claimed_by"], staff) if row["claimed_by"] else None,
        close_reason=row["close_reason"],
        staff_post_ref=row["staff_post_ref"],
        reason=read("filed_reason", _reason, _REASONS),
        rejected_entry=row["rejected_entry"],
        replies=tuple(replies),
        events=tuple(events),
        followups=tuple(followups),
        open_since=read("open_since", parse_ts, _OPTIONAL_TIMESTAMP),
        claimed_at=read("claimed_at", parse_ts, _OPTIONAL_TIMESTAMP),
        waiting_since=read("waiting_since", parse_ts, _OPTIONAL_TIMESTAMP),
        closed_at=read("closed_at", parse_ts, _OPTIONAL_TIMESTAMP),
        reminded_at=read("reminded_at", parse_ts, _OPTIONAL_TIMESTAMP),
        reminders=read("reminders", int, "a whole number"),
        purged_at=read("purged_at", parse_ts, _OPTIONAL_TIMESTAMP),
    )


# -- whole tickets ---------------------------------------------------------------------------


def chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def marks(n: int) -> str:
    """`?, ?, ?` for an IN list of n values."""
    return ", ".join("?" * n)


def _collect(
    into: dict[int, list[T]], broken: dict[int, UnreadableRow], read: Callable[[Row], T], row: Row
) -> None:
    """Read a reply/event row into its ticket's list, or remember why that ticket is unreadable."""
    try:
        into[int(row["ticket_number"])].append(read(row))
    except UnreadableRow as exc:
        broken.setdefault(exc.number, exc)


def staff_names(fetch: Fetch, keys: Iterable[object]) -> dict[str, Staff]:
    """Key -> Staff with the latest stored name, for the staff keys among `keys`."""
    wanted = sorted({str(k) for k in keys if k})
    found: dict[str, Staff] = {}
    for part in chunks(wanted):
        sql = f"SELECT staff_id, platform, user_id, name FROM staff WHERE staff_id IN ({marks(len(part))})"
        for r in fetch(sql, part):
            found[str(r["staff_id"])] = Staff(str(r["platform"]), str(r["user_id"]), str(r["name"]))
    return found


def load_tickets(fetch: Fetch, rows: Sequence[Row], with_events: bool = False, strict: bool = False) -> list[Ticket]:
    """Ticket rows with their replies (and optionally events) attached, in the rows' order.

    A ticket with a value that cannot be read (in its row, a reply or an event) is
    left out with a warning naming it, so one bad row cannot hide the whole queue;
    with strict=True it raises UnreadableRow instead.
    """
    numbers = [int(r["number"]) for r in rows]
    replies: dict[int, list[Reply]] = defaultdict(list)
    events: dict[int, list[TicketEvent]] = defaultdict(list)
    followups: dict[int, list[FollowUp]] = defaultdict(list)
    broken: dict[int, UnreadableRow] = {}
    reply_rows: list[Row] = []
    event_rows: list[Row] = []
    for part in chunks(numbers):
        reply_rows += fetch(f"SELECT * FROM replies WHERE ticket_number IN ({marks(len(part))}) ORDER BY id", part)
        for r in fetch(f"SELECT * FROM followups WHERE ticket_number IN ({marks(len(part))}) ORDER BY id", part):
            _collect(followups, broken, followup_from_row, r)
        if with_events:
            event_rows += fetch(f"SELECT * FROM events WHERE ticket_number IN ({marks(len(part))}) ORDER BY id", part)
    staff = staff_names(fetch, [r["claimed_by"] for r in rows] + [r["author"] for r in reply_rows]
                        + [r["actor"] for r in event_rows])
    for r in reply_rows:
        _collect(replies, broken, lambda row: reply_from_row(row, staff), r)
    for r in event_rows:
        _collect(events, broken, lambda row: event_from_row(row, staff), r)
    tickets = []
    for r, n in zip(rows, numbers, strict=True):
        try:
            ticket = ticket_from_row(r, replies[n], events[n], staff, followups[n])  # the ticket's own row first
            if n in broken:
                raise broken[n]
            tickets.append(ticket)
        except UnreadableRow as exc:
            if strict:
                raise
            log.warning("%s (left out of this list)", exc)
    return tickets
