"""`admissionsbot snippet add|list|remove`: canned replies staff insert by name (core/snippets.py)."""

from __future__ import annotations

import argparse
import json

from ..core.snippets import Snippets
from ..core.staff import cli_staff, label
from ..core.textcheck import one_line
from .common import CONFIG, DB, add_command, desk_from, shared
from .queue_ops import add_as


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("snippet", help="staff: canned replies to insert by name",
                       description="Canned replies: add, list, remove. A snippet is inserted by name with "
                       "`queue reply N --snippet NAME`, the Reply form or `/queue reply ... snippet:NAME`.",
                       parents=shared(CONFIG, DB))
    s = p.add_subparsers(dest="snippet_command", metavar="ACTION", required=True)

    add = add_command(s, "add", (CONFIG, DB), help="add a snippet")
    add.add_argument("name", help="a short name: lowercase letters, digits, '-' or '_' (e.g. fees-link)")
    add.add_argument("text", nargs="+", help="the text staff will insert")
    add_as(add)
    add.set_defaults(func=run_add)

    ls = add_command(s, "list", (CONFIG, DB), help="list snippets (only reads)")
    ls.add_argument("--json", action="store_true", help="one JSON object per snippet, one per line")
    ls.set_defaults(func=run_list)

    rm = add_command(s, "remove", (CONFIG, DB), help="remove a snippet")
    rm.add_argument("name")
    rm.set_defaults(func=run_remove)


def _snippets(args: argparse.Namespace, create: bool = True) -> Snippets:
    desk = desk_from(args, create=create)
    return Snippets(desk.store, desk.clock)


def run_add(args: argparse.Namespace) -> int:
    snippet = _snippets(args).add(args.name, " ".join(args.text), cli_staff(args.staff))
    print(f"Snippet {snippet.name!r} added ({len(snippet.text)} characters).")
    return 0


def run_list(args: argparse.Namespace) -> int:
    found = _snippets(args, create=False).all()
    if args.json:
        for s in found:
            print(json.dumps({"name": s.name, "text": s.text, "created_by": label(s.created_by),
                              "created_at": s.created_at.isoformat()}, ensure_ascii=False))
    elif not found:
        print("No snippets yet: add one with `admissionsbot snippet add NAME TEXT --as YOU`.")
    else:
        for s in found:
            print(f"{s.name:<20} {one_line(s.text, 80)}  (by {label(s.created_by)})")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    _snippets(args).remove(args.name)
    print(f"Snippet {args.name.strip().lower()!r} removed.")
    return 0
