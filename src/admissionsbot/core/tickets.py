"""Staff-queue rules: which transitions a ticket may take, and who may take them.

Stores call these inside their own transaction (after locking the row), so the
rules live in one place and every backend enforces them identically.
"""

from __future__ import annotations

from .errors import TransitionError
from .limits import CLOSE_REASON_CHARS as MAX_REASON_CHARS
from .limits import REPLY_CHARS as MAX_REPLY_CHARS
from .models import Staff, Ticket, TicketStatus

#: open -> claimed -> answered -> closed; closing is allowed from any live state.
ALLOWED: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.OPEN: frozenset({TicketStatus.CLAIMED, TicketStatus.CLOSED}),
    TicketStatus.CLAIMED: frozenset({TicketStatus.ANSWERED, TicketStatus.CLOSED}),
    TicketStatus.ANSWERED: frozenset({TicketStatus.ANSWERED, TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset(),
}


def can_move(current: TicketStatus, target: TicketStatus) -> bool:
    return target in ALLOWED[current]


def check_claim(ticket: Ticket, staff: Staff) -> bool:
    """Validate a claim. Returns False when `staff` already holds it (a no-op)."""
    if ticket.status is TicketStatus.CLAIMED and ticket.claimed_by == staff:
        return False
    if ticket.status is TicketStatus.CLAIMED:
        raise TransitionError(f"Ticket #{ticket.number} is already claimed by {ticket.claimed_by}.")
    if not can_move(ticket.status, TicketStatus.CLAIMED):
        raise TransitionError(
            f"Ticket #{ticket.number} is {ticket.status.value}; only open tickets can be claimed."
        )
    return True


def check_reply(ticket: Ticket, staff: Staff, text: str) -> None:
    if not text.strip():
        raise TransitionError("A reply needs some text.")
    if len(text) > MAX_REPLY_CHARS:
        raise TransitionError(f"A reply can be at most {MAX_REPLY_CHARS} characters (this one has {len(text)}).")
    if ticket.status is TicketStatus.OPEN:
        raise TransitionError(f"Ticket #{ticket.number} is open: claim it before replying.")
    if not can_move(ticket.status, TicketStatus.ANSWERED):
        raise TransitionError(f"Ticket #{ticket.number} is {ticket.status.value}; it cannot get a reply.")
    if ticket.claimed_by and ticket.claimed_by != staff:
        raise TransitionError(
            f"Ticket #{ticket.number} is claimed by {ticket.claimed_by}; only they can reply."
        )


def check_close(ticket: Ticket, reason: str | None) -> None:
    if reason is not None and len(reason) > MAX_REASON_CHARS:
        raise TransitionError(f"A close reason can be at most {MAX_REASON_CHARS} characters.")
    if not can_move(ticket.status, TicketStatus.CLOSED):
        raise TransitionError(f"Ticket #{ticket.number} is already closed.")
