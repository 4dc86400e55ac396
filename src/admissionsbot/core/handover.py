"""Hand-over rules: release, assign, reopen, and a student's follow-up on their own ticket.

Like core/tickets.py, stores call these inside the transaction that locked the
ticket, so every backend enforces the same rules. Each returns what the change
comes to; none writes anything.

- Release (claimed or answered -> open): the claimer, or anyone once the claim
  has been idle for `release_after` (the claim, or the claimer's latest reply,
  is older). A person off sick must not hold a student hostage.
- Assign (to another staff member): an open ticket by anyone; a held one by its
  claimer, or by anyone after the same idle time. An answered ticket stays
  answered (the student is not waiting), a claimed or open one becomes claimed.
- Reopen (closed -> open, unclaimed): anyone; the old claim is history.
- Follow-up: only on one's own ticket; it goes back to claimed when someone
  holds it (they are told), else to open, so the queue sees it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import InvalidInput, TicketNotFound, TransitionError
from .limits import FOLLOWUP_CHARS
from .models import Staff, Ticket, TicketStatus

HELD = (TicketStatus.CLAIMED, TicketStatus.ANSWERED)
#: How a text front end (the console) takes a follow-up: `reply N TEXT` or `reply #N TEXT`.
_TYPED = re.compile(r"^reply\s+#?(?P<number>[0-9]{1,18})\b(?P<text>.*)$", re.IGNORECASE | re.DOTALL)


def idle_since(ticket: Ticket) -> datetime:
    """When the claimer last acted on the ticket (claim or reply)."""
    return ticket.claimed_at or ticket.updated_at


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 10 else f"{hours:.0f} h"


def _may_take_over(ticket: Ticket, by: Staff, now: datetime, release_after: timedelta | None, doing: str) -> str:
    """'' when `by` may act on a ticket someone holds, else raise; returns a note for the event log."""
    holder = ticket.claimed_by
    if holder is None or holder == by:
        return ""
    idle = now - idle_since(ticket)
    if release_after is None:
        raise TransitionError(f"Ticket #{ticket.number} is claimed by {holder}; only they can {doing} it.")
    if idle < release_after:
        raise TransitionError(
            f"Ticket #{ticket.number} is claimed by {holder}; only they can {doing} it for another "
            f"{_hours(release_after - idle)} (anyone may after {_hours(release_after)} without a reply from them)."
        )
    return f"{holder.key} idle {_hours(idle)}"


def check_release(ticket: Ticket, by: Staff, now: datetime, release_after: timedelta | None) -> str:
    """Raise unless `by` may release; returns the event detail ('' for the claimer's own release)."""
    if ticket.status not in HELD or ticket.claimed_by is None:
        raise TransitionError(f"Ticket #{ticket.number} is {ticket.status.value}; only a claimed ticket can be "
                              "released.")
    return _may_take_over(ticket, by, now, release_after, "release")


@dataclass(frozen=True)
class Assignment:
    status: TicketStatus
    note: str  # for the event log: who was taken over, if anyone


def check_assign(ticket: Ticket, by: Staff, to: Staff, now: datetime,
                 release_after: timedelta | None) -> Assignment | None:
    """Raise unless `by` may give the ticket to `to`; None when `to` holds it already (nothing to do)."""
    if ticket.status is TicketStatus.CLOSED:
        raise TransitionError(f"Ticket #{ticket.number} is closed; reopen it before assigning it.")
    if ticket.claimed_by == to and ticket.status in HELD:
        return None
    note = _may_take_over(ticket, by, now, release_after, "reassign")
    status = TicketStatus.ANSWERED if ticket.status is TicketStatus.ANSWERED else TicketStatus.CLAIMED
    return Assignment(status, note)


def check_reopen(ticket: Ticket) -> None:
    if ticket.status is not TicketStatus.CLOSED:
        raise TransitionError(f"Ticket #{ticket.number} is {ticket.status.value}, not closed; nothing to reopen.")


def check_followup(ticket: Ticket, platform: str, user_id: str, text: str) -> TicketStatus:
    """Raise unless the asker may add `text` to their ticket; returns the status it goes back to."""
    if (ticket.asker.platform, ticket.asker.user_id) != (platform, user_id):
        raise TicketNotFound(ticket.number)  # someone else's ticket: as if it did not exist
    if not text.strip():
        raise InvalidInput("Please write your message to the admissions team.")
    if len(text) > FOLLOWUP_CHARS:
        raise InvalidInput(f"A message can be at most {FOLLOWUP_CHARS:,} characters (this one has {len(text):,}).")
    return TicketStatus.CLAIMED if ticket.claimed_by is not None else TicketStatus.OPEN


def typed_follow_up(text: str) -> tuple[int, str] | None:
    """(ticket number, message) when a typed line is `reply N TEXT`; None for anything else (a question)."""
    found = _TYPED.match(text.strip())
    return None if found is None else (int(found["number"]), found["text"].strip())
