"""`admissionsbot privacy forget|export|purge|log`: one person's data, retention, and the audit log.

Only the ticket database is opened. `forget` changes nothing without `--yes`
(it shows what it would do first); its audit entry names who ran it and how
many rows changed, never the person.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..config import Settings
from ..core.errors import InvalidInput
from ..core.privacy import Privacy
from ..core.staff import cli_staff
from .common import CONFIG, DB, add_command, desk_from, settings_from, shared
from .queue_ops import add_as


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("privacy", help="staff: forget or export one person's data, purge old tickets",
                       description="Data requests and retention: forget one person everywhere (their tickets, "
                       "contact details, names, replies to them, follow-ups, feedback, recorded turns), export "
                       "their data as JSON, purge tickets closed more than retention_days ago, show the audit log.",
                       parents=shared(CONFIG, DB))
    s = p.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)

    forget = add_command(s, "forget", (CONFIG, DB), help="remove one person's personal data everywhere")
    _person(forget)
    forget.add_argument("--yes", action="store_true", help="really do it (without: show what would change)")
    add_as(forget)
    forget.set_defaults(func=run_forget)

    export = add_command(s, "export", (CONFIG, DB), help="print one person's data as JSON (a data request)")
    _person(export)
    export.set_defaults(func=run_export)

    purge = add_command(s, "purge", (CONFIG, DB), help="purge tickets closed more than retention_days ago now")
    purge.add_argument("--days", type=int, metavar="N", help="this many days instead of the retention_days setting")
    add_as(purge, default="staff")
    purge.set_defaults(func=run_purge)

    log = add_command(s, "log", (CONFIG, DB), help="the privacy audit log, newest first (only reads)")
    log.add_argument("--limit", type=int, default=50)
    log.set_defaults(func=run_log)


def _person(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--platform", required=True, help="discord, console or cli")
    parser.add_argument("--user", required=True, metavar="ID",
                        help="the Discord user id, or the console `chat --user` name, or a staff --as name")


def _privacy(args: argparse.Namespace, settings: Settings | None = None, *, create: bool = True) -> Privacy:
    settings = settings or settings_from(args)
    desk = desk_from(args, create=create)
    return Privacy(desk.store, desk.clock, settings.retention_days, settings.faq_dir)


def run_forget(args: argparse.Namespace) -> int:
    privacy = _privacy(args)
    if not args.yes:
        data = privacy.export(args.platform, args.user)["tables"]
        if not data:
            print("Nothing is stored about that person.")
            return 0
        rows = ", ".join(f"{len(r)} {name}" for name, r in data.items())
        print(f"Stored about that person: {rows}. Nothing was changed: add --yes to overwrite their personal data "
              "in these rows (it cannot be undone).")
        return 1
    report = privacy.forget(args.platform, args.user, cli_staff(args.staff))
    if not report.found:
        print("Nothing was stored about that person; nothing changed (the audit log notes the request).")
        return 0
    print(f"Forgotten: {report.summary()}. The rows stay (counts are kept) under the pseudonym {report.pseudonym}.")
    if report.files:
        print(f"These FAQ files still name them (learned_by, or a phrasing learned from their ticket): "
              f"{', '.join(report.files)}. Edit them by hand.")
    if report.tickets:
        numbers = ", ".join(f"#{n}" for n in report.tickets)
        print(f"Their tickets ({numbers}) may still show the old text in the Discord staff channel: delete those "
              "cards there, or use /privacy forget in Discord, which updates them.")
    return 0


def run_export(args: argparse.Namespace) -> int:
    data = _privacy(args, create=False).export(args.platform, args.user)
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def run_purge(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    days = settings.retention_days if args.days is None else args.days
    if days < 0:
        raise InvalidInput("--days must be 0 (keep everything) or more.")
    privacy = _privacy(args, settings)
    privacy.retention_days = days
    report = privacy.purge(cli_staff(args.staff))
    if report is None:
        print("retention_days is 0: personal data is kept, nothing was purged (or pass --days N).")
        return 0
    print(f"Purged {len(report.tickets)} ticket(s) closed before {report.cutoff:%Y-%m-%d %H:%M} UTC and "
          f"{report.texts} older question text(s).")
    return 0


def run_log(args: argparse.Namespace) -> int:
    entries = _privacy(args, create=False).store.audit_log(args.limit)
    if not entries:
        print("The privacy audit log is empty.")
    for e in entries:
        print(f"{e.at:%Y-%m-%d %H:%M:%S} {e.actor}: {e.action} - {e.detail}")
    return 0
