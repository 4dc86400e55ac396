"""`admissionsbot eval`: accuracy, wrong answers and escalation recall on labelled questions."""

from __future__ import annotations

import argparse
import json
import sys

from ..core.errors import AdmissionsError
from ..core.evaluation import Report, evaluate, load_cases, rank_all, suggest_settings
from .common import CONFIG, FAQ, add_command, answerer_from


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "eval", (CONFIG, FAQ),
        help="measure matching quality on a file of labelled questions",
        description="CASES is a YAML list of {question, expect}; expect is an entry id, 'escalate', 'tour' or "
        "'smalltalk'. Prints accuracy on answerable questions, the wrong-answer rate, escalation recall, the "
        "clarify rate and every miss with its scores.",
    )
    p.add_argument("cases", metavar="CASES", help="YAML file of {question, expect} items")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument("--min-accuracy", type=float, metavar="X",
                   help="exit 1 when accuracy on answerable questions is below X (0-1)")
    p.add_argument("--max-wrong", type=float, metavar="X", help="exit 1 when the wrong-answer rate is above X (0-1)")
    p.add_argument("--suggest", action="store_true",
                   help="also search for the thresholds that do best on these cases (use a tuning split!)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for flag, value in (("--min-accuracy", args.min_accuracy), ("--max-wrong", args.max_wrong)):
        if value is not None and not 0 <= value <= 1:
            raise AdmissionsError(f"{flag} takes a fraction from 0 to 1 (e.g. 0.85), not {value:g}.")
    answerer = answerer_from(args)
    cases = load_cases(args.cases, answerer.knowledge)
    ranked = rank_all(cases, answerer)
    report = evaluate(cases, ranked, answerer)
    suggestion = suggest_settings(cases, ranked, answerer, answerer.settings) if args.suggest else None
    if args.json:
        data = report.as_dict()
        if suggestion:
            s, r = suggestion
            data["suggested"] = {"answer_threshold": s.answer_threshold, "clarify_threshold": s.clarify_threshold,
                                 "margin": s.margin, "report": {k: v for k, v in r.as_dict().items() if k != "misses"}}
        print(json.dumps(data, ensure_ascii=False, default=str))
    else:
        print(format_report(report, args.cases))
        if suggestion:
            s, r = suggestion
            print(f"\nSuggested on these cases: answer_threshold={s.answer_threshold:g} "
                  f"clarify_threshold={s.clarify_threshold:g} margin={s.margin:g}\n"
                  f"  which gives accuracy {r.accuracy:.3f}, wrong answers {r.wrong_answer_rate:.3f}, "
                  f"escalation recall {r.escalation_recall:.3f}, clarify rate {r.clarify_rate:.3f}.\n"
                  "  Check them on a held-out split before adopting them.")
    failures = []
    if args.min_accuracy is not None and report.accuracy < args.min_accuracy:
        failures.append(f"accuracy {report.accuracy:.3f} is below --min-accuracy {args.min_accuracy:g}")
    if args.max_wrong is not None and report.wrong_answer_rate > args.max_wrong:
        failures.append(f"wrong-answer rate {report.wrong_answer_rate:.3f} is above --max-wrong {args.max_wrong:g}")
    for failure in failures:
        print(f"admissionsbot eval: FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def format_report(r: Report, name: str) -> str:
    lines = [
        f"{name}: {r.total} cases",
        f"  accuracy (answerable, right entry): {r.accuracy:.3f}  ({r.correct_answers}/{r.answerable})",
        f"  wrong-answer rate:                  {r.wrong_answer_rate:.3f}  ({r.wrong_answers}/{r.total})",
        f"  escalation recall:                  {r.escalation_recall:.3f}  ({r.escalated_right}/{r.escalate_cases})",
        (f"  clarify rate:                       {r.clarify_rate:.3f}  ({r.clarified}/{r.total}, "
         f"{r.clarified_with_right_choice} offered the right entry)"),
        f"  exactly as expected:                {r.overall:.3f}  ({r.correct}/{r.total})",
    ]
    if r.misses:
        lines.append(f"  misses ({len(r.misses)}):")
        for m in r.misses:
            cands = ", ".join(f"{e} {s:.0f}" for e, s in m.candidates)
            lines.append(f"    - {m.question!r}: expected {m.expect}, got {m.got} (score {m.score:.0f}; {cands})")
    return "\n".join(lines)
