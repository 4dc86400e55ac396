"""`admissionsbot queue release|assign|reopen|export`: hand-over and the office's own exports.

Registered by queue_cmd under `queue`. Staff on the command line are `--as NAME`
(platform "cli", the name is the id) or `--as discord:ID` to act as that Discord
staff member (core/staff.py). The rules (who may release or reassign a ticket
someone else holds, and when) live in core/handover.py.
"""

from __future__ import annotations

import argparse

from ..core.models import Ticket
from ..core.staff import cli_staff, find_named, label
from .common import CONFIG, DB, add_command, desk_from

AS_HELP = "who you are: a name, or discord:ID to act as that Discord staff member"


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


def run_reopen(args: argparse.Namespace) -> int:
    t = desk_from(args).reopen(args.number, cli_staff(args.staff))
    print(f"Ticket #{t.number} is open again.")
    return 0
