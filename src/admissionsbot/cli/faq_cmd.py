"""`admissionsbot faq check`: validate the knowledge base the way the bot does at start-up."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.grounding import STAFF_SOURCE
from ..core.knowledge import check_faq
from . import learn_cmd
from .common import CONFIG, DB, FAQ, add_command, desk_from, settings_from, shared


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("faq", help="work with the FAQ knowledge base", description="Work with the FAQ knowledge base.",
                       parents=shared(CONFIG, FAQ, DB))
    faq_sub = p.add_subparsers(dest="faq_command", metavar="ACTION", required=True)
    check = add_command(
        faq_sub, "check", (CONFIG, FAQ),
        help="validate every FAQ file; exit 1 on any error",
        description="Validate every FAQ file: YAML syntax, keys, empty text, duplicate ids, the same phrasing "
        "in two entries, sources that are not plain file names (errors), near-duplicate phrasings across "
        "entries (warnings). With --material, also the grounding check: every source must be a document in "
        "DIR, and numbers, names and promises an answer states but its document does not are warnings. "
        "Each problem names file, line and entry id. Exits 1 when there is any error, 2 when a folder is missing.",
    )
    check.add_argument("directory", nargs="?", help="FAQ directory (default: --faq, else setting faq_dir, 'faq')")
    check.add_argument(
        "--material", metavar="DIR",
        help="check sources and answers against the documents in DIR (e.g. ../shared/material)",
    )
    check.add_argument(
        "--strict", action="store_true",
        help="grounding warnings are errors (exit 1); needs --material",
    )
    check.set_defaults(func=run_check)

    feedback = add_command(
        faq_sub, "feedback", (CONFIG, DB),
        help="how students rated each answer (Helpful / Not what I asked)",
        description="Per FAQ entry, how often students marked its answer helpful or 'not what I asked', "
        "most misses first: the entries to rephrase or split next.",
    )
    feedback.set_defaults(func=run_feedback)
    learn_cmd.register(faq_sub)  # faq learn, faq gaps


def run_check(args: argparse.Namespace) -> int:
    directory = args.directory or settings_from(args).faq_dir
    material = args.material
    if args.strict and material is None:
        print("admissionsbot: --strict needs --material DIR (it is about the grounding check).", file=sys.stderr)
        return 2
    for what, folder in (("FAQ folder", directory), ("material folder", material)):
        if folder is not None and not Path(folder).is_dir():
            print(f"admissionsbot: {what} {folder} not found.", file=sys.stderr)
            return 2  # nothing was checked: one line, not one error per entry
    kb, problems = check_faq(directory, material, strict=args.strict)
    for problem in problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if kb is None:
        if any(p.severity == "error" and not p.from_material for p in problems):
            verdict = "The bot will not start with this FAQ."
        else:  # the bot never reads the material, so saying it would not start would be false
            verdict = (f"All of them come from checking against {material}: the bot would start, "
                       "but fix them before students see these answers.")
        print(f"{directory}: {errors} error(s), {warnings} warning(s). {verdict}", file=sys.stderr)
        return 1
    phrasings = sum(len(e.phrasings) for e in kb.entries)
    checked = ""
    if material is not None:
        grounded = sum(e.source != STAFF_SOURCE for e in kb.entries)
        checked = f" {grounded} answer(s) checked against {material}."
    if kb.vectors is not None:
        checked += f" Meaning: {len(kb.vectors.packed)} words in {Path(kb.vectors.source).name}."
    print(f"{directory}: OK: {len(kb.entries)} entries, {phrasings} phrasings, {warnings} warning(s).{checked}")
    return 0


def run_feedback(args: argparse.Namespace) -> int:
    desk = desk_from(args, create=False)
    try:
        tallies = desk.feedback()
    finally:
        desk.shutdown()
    if not tallies:
        print("No feedback yet.")
        return 0
    print(f"{'entry':32} {'not what I asked':>16} {'helpful':>8}")
    for t in tallies:
        print(f"{t.entry_id:32} {t.not_helpful:>16} {t.helpful:>8}")
    return 0
