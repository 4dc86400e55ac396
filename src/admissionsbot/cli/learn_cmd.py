"""`admissionsbot faq learn` and `faq gaps`: grow the FAQ from the queue."""

from __future__ import annotations

import argparse
import json
import sys

from ..bootstrap import build_answerer, build_desk, build_insights
from ..core.desk import utcnow
from ..core.errors import AdmissionsError
from ..core.gaps import Gaps
from ..core.learning import Learned, Learner, NewEntry
from ..core.models import EntryKind
from ..core.staff import cli_staff
from .chat_cmd import _login_name
from .common import CONFIG, DB, FAQ, add_command, settings_from
from .stats_cmd import SINCE_HELP, parse_since


def register(faq_sub: argparse._SubParsersAction) -> None:
    learn = add_command(
        faq_sub, "learn", (CONFIG, FAQ, DB),
        help="turn an answered ticket into FAQ knowledge (a phrasing of an entry, or a new entry)",
        description="--entry ID adds ticket N's question as a phrasing of entry ID (in that entry's file); "
        "--new ID creates an entry in learned.yaml whose answer is the ticket's latest staff reply unless --answer "
        "is given. The FAQ is checked with the `faq check` rules before anything is written; on any error nothing "
        "is written. Prints the change as a diff; a running bot uses it at its next question.",
    )
    learn.add_argument("number", type=int, metavar="N", help="ticket number (as in 'queue list', without the #)")
    target = learn.add_mutually_exclusive_group(required=True)
    target.add_argument("--entry", metavar="ID", help="add the question as a phrasing of this existing entry")
    target.add_argument("--new", metavar="ID", help="create a new entry with this id (a slug like 'campus-parking')")
    learn.add_argument("--question", metavar="TEXT", help="--new: the canonical question (default: the ticket's)")
    learn.add_argument("--answer", metavar="TEXT", help="--new: the answer (default: the latest staff reply)")
    learn.add_argument("--alternate", metavar="TEXT", action="extend", nargs="+", default=[],
                       help="more phrasings as students write them (repeatable)")
    learn.add_argument("--kind", choices=[EntryKind.ANSWER.value, EntryKind.HANDOFF.value], default=None,
                       help="--new: answer (default) or handoff (always passed to staff, the answer is the note)")
    learn.add_argument("--as", dest="staff", metavar="NAME", help="who learned it (default: your login name)")
    learn.set_defaults(func=run_learn)

    gaps = add_command(
        faq_sub, "gaps", (CONFIG, FAQ, DB),
        help="the questions the FAQ could not answer, grouped, biggest group first: what to write next",
        description="Questions that went to staff (no match, a 'did you mean' nobody picked, 'not what I asked'), "
        "grouped by similarity, biggest group first, each with its count, up to 3 examples, the closest FAQ entry "
        "and its score, and the tickets staff already answered (learn one with `faq learn N`). Questions the FAQ "
        "answers now are left out. Only reads the ticket database.",
    )
    gaps.add_argument("--since", metavar="DATE", help=SINCE_HELP)
    gaps.add_argument("--json", action="store_true", help="print the groups as one JSON object")
    gaps.add_argument("--limit", type=int, default=20, metavar="N", help="at most N groups (default 20)")
    gaps.set_defaults(func=run_gaps)


def run_learn(args: argparse.Namespace) -> int:
    if args.entry and (args.question or args.answer or args.kind):
        raise AdmissionsError("--question, --answer and --kind are for a new entry (--new ID); with --entry the "
                              "ticket's question (and any --alternate) is added to that entry.")
    settings = settings_from(args)
    desk = build_desk(settings, create=False)
    try:
        learner = Learner(desk, settings.faq_dir)
        staff = cli_staff(args.staff or _login_name())
        if args.entry:
            learned = learner.add_phrasing(args.number, staff, args.entry.strip(), args.alternate)
        else:
            spec = NewEntry(args.new, args.question, args.answer, tuple(args.alternate),
                            EntryKind(args.kind or EntryKind.ANSWER.value))
            learned = learner.new_entry(args.number, staff, spec)
    finally:
        desk.shutdown()
    _print_learned(args.number, learned)
    return 0


def _print_learned(number: int, learned: Learned) -> None:
    print(learned.diff, end="" if learned.diff.endswith("\n") else "\n")
    what = "a new entry" if learned.new_entry else f"{len(learned.phrasings)} new phrasing(s) of entry"
    print(f"Learned ticket #{number} into {what} '{learned.entry_id}' in {learned.file}. A running bot answers "
          "it from its next question on.")
    for warning in learned.warnings:
        print(warning)
    if not learned.logged:
        print(f"Note: the ticket database could not record this on ticket #{number}'s log.", file=sys.stderr)


def run_gaps(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise AdmissionsError("--limit takes a number of groups, at least 1.")
    settings = settings_from(args)
    since = parse_since(args.since, settings, utcnow())
    answerer = build_answerer(settings)
    desk = build_desk(settings, create=False)
    try:
        gaps = build_insights(settings, desk, answerer).gaps(since)
    finally:
        desk.shutdown()
    if args.json:
        print(json.dumps(gaps_json(gaps, args.limit, since.isoformat() if since else None), ensure_ascii=False,
                         indent=2))
        return 0
    questions = sum(g.count for g in gaps.groups)
    print(f"{questions} question(s) the FAQ could not answer, in {len(gaps.groups)} group(s)"
          + (f" since {since:%Y-%m-%d}" if since else "") + ".")
    for i, group in enumerate(gaps.groups[: args.limit], 1):
        closest = (f"closest entry: {group.closest.entry_id} ({group.closest.score:.0f})" if group.closest.entry_id
                   else "no close entry")
        answered = group.answered_tickets
        tickets = f"; answered on ticket(s) {', '.join(f'#{n}' for n in answered)}" if answered else ""
        print(f"{i:>3}. {group.count} question(s); {closest}{tickets}")
        for example in group.examples():
            print(f"       - {' '.join(example.split())[:150]}")
    if gaps.covered:
        print(f"({gaps.covered} more are answered by the FAQ now.)")
    if gaps.without_text:
        print(f"({gaps.without_text} turn(s) were recorded without their text (record_question_text is off).)")
    return 0


def gaps_json(gaps: Gaps, limit: int, since: str | None) -> dict[str, object]:
    return {
        "since": since,
        "groups": [{"count": g.count, "examples": g.examples(),
                    "closest": {"entry": g.closest.entry_id, "score": round(g.closest.score, 1)},
                    "answered_tickets": g.answered_tickets,
                    "tickets": sorted({q.ticket for q in g.questions if q.ticket is not None})}
                   for g in gaps.groups[:limit]],
        "covered": gaps.covered,
        "without_text": gaps.without_text,
    }
