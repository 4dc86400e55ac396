"""Which out-of-scope questions the Matcher accepts, and as what (BANKING77 OOS variant, validation only).

    .venv/bin/python benchmarks/oos_misses.py [BANKING77_DIR] [--show N] [--seed S]   # ~10 s

Knowledge base = train minus the validation split, the 27 held-out intents removed; the
threshold is the one the fixed rule (_banking77.pick_threshold) picks on these validation scores.
Prints how many held-out questions score at or above it, grouped by (held-out intent -> entry
answered), and the N highest-scoring ones: the questions that cost issue 15's in-scope target.
Then the bot's other rule, tried as an out-of-scope detector: escalate also when the top entry
leads the runner-up by less than m points; in-scope accuracy at OOS recall 0.62 for several m
(m = 0 is the threshold alone). `--seed S`: another validation split. test.csv is never read.
"""

from __future__ import annotations

import math
import sys
from collections import Counter

from _banking77 import SEED, as_phrasings, data_dir, load, oos_intents, option, pick_threshold, split_train

from admissionsbot.core.matcher import Matcher


def main() -> None:
    args = [a for a in sys.argv if not a.startswith("--")]
    show = int(option("--show", args) or 10)
    seed = int(option("--seed", args) or SEED)
    path = data_dir(args)
    oos = oos_intents(path)
    kb, val = split_train(load(path, "train.csv"), seed)
    m = Matcher(as_phrasings(kb, exclude=oos))
    ins: list[tuple[float, bool]] = []
    outs: list[tuple[float, str, str, str]] = []  # (score, question, held-out intent, entry answered)
    leads: list[tuple[float, float, bool, bool]] = []  # (top score, lead over runner-up, right, out of scope)
    for text, intent in val:
        top = m.match(text, limit=2)
        score, entry = (top[0].score, top[0].entry_id) if top else (0.0, "")
        leads.append((score, score - (top[1].score if len(top) > 1 else 0.0), entry == intent, intent in oos))
        if intent in oos:
            outs.append((score, text, intent, entry))
        else:
            ins.append((score, entry == intent))
    threshold = pick_threshold(ins, [s for s, *_ in outs])
    accepted = sorted((o for o in outs if o[0] >= threshold), reverse=True)
    print(f"threshold {threshold:.2f}: {len(accepted)} of {len(outs)} out-of-scope validation questions accepted")
    pairs = Counter((intent, entry) for _, _, intent, entry in accepted)
    for (intent, entry), n in pairs.most_common(show):
        print(f"  {n:3d}  {intent} -> {entry}")
    print(f"\nthe {show} highest-scoring:")
    for score, text, intent, entry in accepted[:show]:
        print(f"  {score:5.1f}  {text!r}  ({intent} -> {entry})")
    print("\nin-scope accuracy at OOS recall 0.62, escalating also when the lead over the runner-up is under m:")
    print("  " + ", ".join(f"m={m_}: {accuracy_with_margin(leads, 0.62, m_):.4f}" for m_ in MARGINS))


MARGINS = (0, 2, 5, 10, 15, 20)


def accuracy_with_margin(rows: list[tuple[float, float, bool, bool]], recall: float, margin: float) -> float:
    """In-scope accuracy at the lowest top-score threshold that, together with the margin rule,
    escalates at least `recall` of the out-of-scope questions."""
    ins = [r for r in rows if not r[3]]
    outs = [r for r in rows if r[3]]
    need = math.ceil(recall * len(outs))
    for t in sorted({r[0] for r in rows} | {math.inf}):
        if sum(1 for s, lead, _, _ in outs if s < t or lead < margin) >= need:
            return sum(1 for s, lead, ok, _ in ins if ok and s >= t and lead >= margin) / len(ins)
    return 0.0


if __name__ == "__main__":
    main()
