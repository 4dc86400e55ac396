"""Row <-> model mapping shared by every SQL backend.

Backends hand rows over as mappings (sqlite3.Row, psycopg dict_row); values
differ only in representation (ISO text vs TIMESTAMPTZ, JSON text vs JSONB,
0/1 vs BOOLEAN), and the helpers here accept both, so a ticket read from
SQLite and one read from PostgreSQL are equal field for field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from ..core.models import (
    Asker,
    Candidate,
    FiledReason,
    NewTicket,
    Reply,
    Ticket,
    TicketEvent,
    TicketKind,
    TicketStatus,
    TourContact,
)

Row = Mapping[str, Any]


def to_utc(at: datetime) -> datetime:
    """Aware UTC datetime; a naive one is taken to be UTC already (the service uses UTC)."""
    if at.tzinfo is None:
        return at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc)


def to_iso(at: datetime) -> str:
    """Fixed-width ISO-8601 UTC text, so SQLite's text ordering is chronological."""
    return to_utc(at).isoformat(timespec="microseconds")


def parse_ts(value: str | datetime | None) -> datetime | None:
    """ISO text (SQLite) or a TIMESTAMPTZ value (PostgreSQL) -> aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return to_utc(value)


def _required_ts(value: str | datetime) -> datetime:
    parsed = parse_ts(value)
    assert parsed is not None, "NOT NULL timestamp column came back NULL"
    return parsed


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


def reply_from_row(row: Row) -> Reply:
    return Reply(
        id=int(row["id"]),
        ticket_number=int(row["ticket_number"]),
        author=row["author"],
        text=row["text"],
        created_at=_required_ts(row["created_at"]),
        delivered_at=parse_ts(row["delivered_at"]),
        delivery_attempts=int(row["delivery_attempts"]),
        last_error=row["last_error"] or "",
    )


def event_from_row(row: Row) -> TicketEvent:
    return TicketEvent(
        ticket_number=int(row["ticket_number"]),
        at=_required_ts(row["at"]),
        actor=row["actor"],
        action=row["action"],
        detail=row["detail"] or "",
    )


def ticket_from_row(
    row: Row, replies: Iterable[Reply] = (), events: Iterable[TicketEvent] = ()
) -> Ticket:
    contact = None
    if row["contact_name"] is not None:
        contact = TourContact(
            name=row["contact_name"],
            email=row["contact_email"] or "",
            preferred_times=row["contact_preferred_times"] or "",
            notes=row["contact_notes"] or "",
        )
    return Ticket(
        number=int(row["number"]),
        kind=TicketKind(row["kind"]),
        status=TicketStatus(row["status"]),
        asker=Asker(
            platform=row["asker_platform"],
            user_id=row["asker_user_id"],
            display_name=row["asker_display_name"],
            location=row["asker_location"] or "",
            link=row["asker_link"] or "",
            private=bool(row["asker_private"]),
        ),
        question=row["question"],
        created_at=_required_ts(row["created_at"]),
        updated_at=_required_ts(row["updated_at"]),
        candidates=candidates_from(row["candidates"]),
        contact=contact,
        claimed_by=row["claimed_by"],
        close_reason=row["close_reason"],
        staff_post_ref=row["staff_post_ref"],
        reason=FiledReason(row["filed_reason"]) if row["filed_reason"] else None,
        rejected_entry=row["rejected_entry"],
        replies=tuple(replies),
        events=tuple(events),
    )
