"""`admissionsbot ask`: show the decision for questions without filing any ticket."""

from __future__ import annotations

import argparse
import json
import sys

from ..core.errors import InvalidInput
from ..core.models import Decision
from .common import CONFIG, FAQ, add_command, answerer_from


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "ask", (CONFIG, FAQ),
        help="show what the bot would do with questions (no ticket is created)",
        description="Match questions against the FAQ and print the decision. With no QUESTION, reads one "
        "question per line from standard input.",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per question, one per line")
    p.add_argument("question", nargs="*", help="questions, each quoted as one argument")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    answerer = answerer_from(args)  # the bot's own answering side; no database
    questions = args.question if args.question else (line.rstrip("\n") for line in sys.stdin)
    for q in questions:
        try:
            decision = answerer.ask(q)
        except InvalidInput as exc:
            _print_invalid(q, str(exc), args.json)
            continue
        print(json.dumps(decision_json(decision), ensure_ascii=False) if args.json else describe(decision))
        sys.stdout.flush()
    return 0


def decision_json(d: Decision) -> dict:
    return {
        "question": d.question,
        "action": d.action.value,
        "entry": d.entry.id if d.entry else None,
        "score": round(d.score, 1),
        "answer": d.answer,
        "reason": d.reason,
        "choices": [e.id for e in d.choices],
        "candidates": [{"entry": c.entry_id, "score": round(c.score, 1)} for c in d.candidates],
    }


def describe(d: Decision) -> str:
    head = f"{d.action.value.upper()} ({d.reason}, score {d.score:.0f})"
    lines = [f"Q: {d.question}", head]
    if d.entry:
        lines.append(f"  entry: {d.entry.id}")
    if d.answer:
        lines.append(f"  answer: {d.answer}\n  source: {d.entry.source if d.entry else ''}")
    for i, e in enumerate(d.choices, 1):
        lines.append(f"  did you mean {i}: {e.question} [{e.id}]")
    if d.candidates:
        lines.append("  candidates: " + ", ".join(f"{c.entry_id} {c.score:.0f}" for c in d.candidates))
    return "\n".join(lines) + "\n"


def _print_invalid(question: str, message: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"question": question, "action": None, "error": message}, ensure_ascii=False))
    else:
        print(f"Q: {question!r}\n  {message}\n")
