"""`admissionsbot queue ...`: the staff queue from a terminal."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..core.models import Staff, Ticket, TicketStatus
from ..core.staff import cli_staff, label
from ..core.textcheck import one_line
from . import queue_ops
from .common import CONFIG, DB, add_command, desk_from, shared
from .queue_ops import add_as


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("queue", help="staff: list, show, claim, reply to, close, release, assign, reopen, export",
                       description="Work the staff queue: list, show, claim, reply, close, release, assign, reopen, "
                       "export. Only the ticket "
                       "database is opened (no FAQ); list and show never create it.",
                       parents=shared(CONFIG, DB))
    q = p.add_subparsers(dest="queue_command", metavar="ACTION", required=True)

    ls = add_command(q, "list", (CONFIG, DB), help="list tickets, newest first")
    ls.add_argument("--status", choices=[s.value for s in TicketStatus], help="only tickets in this state")
    ls.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    ls.add_argument("--json", action="store_true", help="one JSON object per ticket, one per line")
    ls.set_defaults(func=run_list)

    show = add_command(q, "show", (CONFIG, DB), help="one ticket with its replies and history")
    _number(show)
    show.add_argument("--json", action="store_true", help="print the ticket as JSON")
    show.set_defaults(func=run_show)

    claim = add_command(q, "claim", (CONFIG, DB), help="take a ticket so others know you are on it")
    _number(claim)
    add_as(claim)
    claim.set_defaults(func=run_claim)

    reply = add_command(q, "reply", (CONFIG, DB), help="reply to the student (relayed to them)")
    _number(reply)
    add_as(reply)
    reply.add_argument("--snippet", metavar="NAME", help="insert this canned reply after the text (see 'snippet list')")
    reply.add_argument("text", nargs="*", help="the reply (may be left out with --snippet)")
    reply.__class__ = queue_ops.Intermixed  # the words may follow --as / --snippet / --db
    reply.set_defaults(func=run_reply)

    close = add_command(q, "close", (CONFIG, DB), help="close a ticket")
    _number(close)
    close.add_argument("--reason", help="why (kept in the ticket)")
    add_as(close, default="staff")
    close.set_defaults(func=run_close)
    queue_ops.register(q)


def _number(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("number", type=int, metavar="N", help="ticket number (as in 'queue list', without the #)")


def run_list(args: argparse.Namespace) -> int:
    desk = desk_from(args, create=False)
    status = TicketStatus(args.status) if args.status else None
    tickets = desk.tickets(status, args.limit)
    if args.json:
        for t in tickets:
            print(json.dumps(ticket_json(t), ensure_ascii=False))
    elif not tickets:
        print("No tickets" + (f" with status {status.value}." if status else "."))
    else:
        for t in tickets:
            who = f" claimed by {label(t.claimed_by)}" if t.claimed_by else ""
            print(f"#{t.number:<5} {t.status.value:<9} {t.kind.value:<8} {t.asker.display_name}{who}: "
                  f"{one_line(t.question, 70)}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    t = desk_from(args, create=False).ticket(args.number)
    if args.json:
        print(json.dumps(ticket_json(t, events=True), ensure_ascii=False, indent=2))
        return 0
    print(f"Ticket #{t.number} ({t.kind.value}) - {t.status.value}")
    print(f"  from: {t.asker.display_name} [{t.asker.platform}:{t.asker.user_id}] "
          f"at {t.asker.location or '-'} {t.asker.link}")
    print(f"  asked: {t.created_at:%Y-%m-%d %H:%M} UTC")
    print(f"  question: {t.question}")
    if t.reason is not None:
        rejected = f" (rejected answer: {t.rejected_entry})" if t.rejected_entry else ""
        print(f"  why filed: {t.reason.value}{rejected}")
    if t.contact:
        c = t.contact
        print(f"  tour contact: {c.name} <{c.email}>; preferred: {c.preferred_times}; notes: {c.notes or '-'}")
    if t.candidates:
        print("  matcher candidates: " + ", ".join(f"{c.entry_id} ({c.score:.0f})" for c in t.candidates))
    if t.claimed_by:
        print(f"  claimed by: {label(t.claimed_by)}")
    for r in t.replies:
        if r.delivered_at:
            state = "delivered"
        else:
            error = ": " + r.last_error if r.last_error else ""
            state = f"NOT delivered yet ({r.delivery_attempts} attempts{error})"
        print(f"  reply by {label(r.author)} at {r.created_at:%Y-%m-%d %H:%M} [{state}]: {r.text}")
    for f in t.followups:
        print(f"  the student wrote at {f.created_at:%Y-%m-%d %H:%M}: {f.text}")
    if t.close_reason:
        print(f"  close reason: {t.close_reason}")
    print("  history:")
    for e in t.events:
        who = label(e.by) if e.by else e.actor
        print(f"    {e.at:%Y-%m-%d %H:%M:%S} {who}: {e.action}{' - ' + e.detail if e.detail else ''}")
    return 0


def run_claim(args: argparse.Namespace) -> int:
    t = desk_from(args).claim(args.number, cli_staff(args.staff))
    print(f"Ticket #{t.number} is claimed by {label(t.claimed_by) if t.claimed_by else '-'}.")
    return 0


def run_reply(args: argparse.Namespace) -> int:
    reply = desk_from(args).reply(args.number, cli_staff(args.staff), " ".join(args.text), args.snippet)
    print(f"Reply recorded on ticket #{reply.ticket_number}; it will be relayed to the student.")
    return 0


def run_close(args: argparse.Namespace) -> int:
    t = desk_from(args).close(args.number, cli_staff(args.staff), args.reason)
    print(f"Ticket #{t.number} is closed" + (f" ({t.close_reason})." if t.close_reason else "."))
    return 0


def ticket_json(t: Ticket, events: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": t.number, "kind": t.kind.value, "status": t.status.value,
        "asker": {"platform": t.asker.platform, "user_id": t.asker.user_id, "name": t.asker.display_name,
                  "location": t.asker.location, "link": t.asker.link},
        "question": t.question,
        "candidates": [{"entry": c.entry_id, "score": round(c.score, 1)} for c in t.candidates],
        "contact": None if t.contact is None else {
            "name": t.contact.name, "email": t.contact.email,
            "preferred_times": t.contact.preferred_times, "notes": t.contact.notes},
        "claimed_by": staff_json(t.claimed_by), "close_reason": t.close_reason,
        "reason": t.reason.value if t.reason else None, "rejected_entry": t.rejected_entry,
        "created_at": t.created_at.isoformat(), "updated_at": t.updated_at.isoformat(),
        "replies": [{"author": staff_json(r.author), "text": r.text, "created_at": r.created_at.isoformat(),
                     "delivered": r.delivered_at is not None} for r in t.replies],
        "followups": [{"text": f.text, "created_at": f.created_at.isoformat()} for f in t.followups],
    }
    if events:
        data["events"] = [{"at": e.at.isoformat(), "actor": e.actor, "by": staff_json(e.by), "action": e.action,
                           "detail": e.detail}
                          for e in t.events]
    return data


def staff_json(staff: Staff | None) -> dict | None:
    """A staff member as stored (platform, id) with the name they have now."""
    return None if staff is None else {"platform": staff.platform, "user_id": staff.user_id, "name": staff.name}
