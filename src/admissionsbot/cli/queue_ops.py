"""`admissionsbot queue release|assign|reopen|export`: hand-over and the office's own exports.

Registered by queue_cmd under `queue`. Staff on the command line are `--as NAME`
(platform "cli", the name is the id) or `--as discord:ID` to act as that Discord
staff member (core/staff.py). The rules (who may release or reassign a ticket
someone else holds, and when) live in core/handover.py.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..core.models import Ticket
from ..core.privacy import export_rows, parse_since, to_csv, to_json
from ..core.staff import cli_staff, find_named, label
from .common import CONFIG, DB, add_command, desk_from

AS_HELP = "who you are: a name, or discord:ID to act as that Discord staff member"


class Intermixed(argparse.ArgumentParser):
    """Options and words in any order: plain argparse ends a `*` positional (a reply that may be empty, given
    --snippet) at the first option, so `reply N --as ana Thanks` would leave "Thanks" unparsed."""

    _mixing = False

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._mixing:
            return super().parse_known_args(args, namespace)
        self._mixing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._mixing = False


def add_as(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    """The `--as` option of every command that acts as a staff member."""
    if default is None:
        parser.add_argument("--as", dest="staff", required=True, metavar="NAME", help=AS_HELP)
    else:
        parser.add_argument("--as", dest="staff", default=default, metavar="NAME",
                            help=f"{AS_HELP} (default {default!r})")


def _number(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("number", type=int, metavar="N", help="ticket number (as in 'queue list', without the #)")


def register(q: argparse._SubParsersAction) -> None:
    release = add_command(q, "release", (CONFIG, DB), help="give a claimed ticket back to the open queue",
                          description="Release a claimed ticket back to open. The claimer can; anyone else only "
                          "once the claimer has been silent on it for release_after_hours.")
    _number(release)
    add_as(release)
    release.set_defaults(func=run_release)

    assign = add_command(q, "assign", (CONFIG, DB), help="give a ticket to another staff member",
                         description="Assign a ticket to a staff member (an open one by anyone; a claimed one by "
                         "its claimer, or by anyone after release_after_hours).")
    _number(assign)
    assign.add_argument("--to", required=True, metavar="NAME",
                        help="a staff member's current name, or discord:ID / cli:NAME")
    add_as(assign)
    assign.set_defaults(func=run_assign)

    reopen = add_command(q, "reopen", (CONFIG, DB), help="reopen a closed ticket (it goes back to open)")
    _number(reopen)
    add_as(reopen)
    reopen.set_defaults(func=run_reopen)

    export = add_command(q, "export", (CONFIG, DB), help="all tickets as CSV or JSON for the office's own tools",
                         description="Print every ticket (or those filed since a date) as CSV or JSON, one row per "
                         "ticket. Tour contact details (name, email, preferred times, notes) are left out unless "
                         "--with-contact. Only reads.")
    export.add_argument("--format", choices=("csv", "json"), default="csv", help="default csv")
    export.add_argument("--since", metavar="DATE", help="only tickets filed on or after DATE (YYYY-MM-DD, UTC)")
    export.add_argument("--with-contact", action="store_true", help="include tour contact details")
    export.set_defaults(func=run_export)


def _claimer(t: Ticket) -> str:
    return f"claimed by {label(t.claimed_by)}" if t.claimed_by else "unclaimed"


def run_release(args: argparse.Namespace) -> int:
    t = desk_from(args).release(args.number, cli_staff(args.staff))
    print(f"Ticket #{t.number} is {t.status.value} again: anyone can claim it.")
    return 0


def run_assign(args: argparse.Namespace) -> int:
    desk = desk_from(args)
    to = find_named(desk.staff_members(), args.to)
    t = desk.assign(args.number, cli_staff(args.staff), to)
    print(f"Ticket #{t.number} is {t.status.value}, {_claimer(t)}.")
    return 0


def run_export(args: argparse.Namespace) -> int:
    since = parse_since(args.since) if args.since else None
    rows = export_rows(desk_from(args, create=False).store.tickets_since(since), args.with_contact)
    sys.stdout.write(to_csv(rows, args.with_contact) if args.format == "csv" else to_json(rows) + "\n")
    return 0


def run_reopen(args: argparse.Namespace) -> int:
    t = desk_from(args).reopen(args.number, cli_staff(args.staff))
    print(f"Ticket #{t.number} is open again.")
    return 0
