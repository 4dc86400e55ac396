"""Which out-of-scope questions the Matcher accepts, and as what (BANKING77 OOS variant, validation only).

    .venv/bin/python benchmarks/oos_misses.py [BANKING77_DIR] [--show N]   # ~10 s

Knowledge base = train minus the validation split, the 27 held-out intents removed; the
threshold is the one the fixed rule (_banking77.pick_threshold) picks on these validation scores.
Prints how many held-out questions score at or above it, grouped by (held-out intent -> entry
answered), and the N highest-scoring ones: the questions that cost issue 15's in-scope target.
test.csv is never read.
"""

from __future__ import annotations

import sys
from collections import Counter

from _banking77 import as_phrasings, data_dir, load, oos_intents, option, pick_threshold, split_train

from admissionsbot.core.matcher import Matcher


def main() -> None:
    args = [a for a in sys.argv if not a.startswith("--")]
    show = int(option("--show", args) or 10)
    path = data_dir(args)
    oos = oos_intents(path)
    kb, val = split_train(load(path, "train.csv"))
    m = Matcher(as_phrasings(kb, exclude=oos))
    ins: list[tuple[float, bool]] = []
    outs: list[tuple[float, str, str, str]] = []  # (score, question, held-out intent, entry answered)
    for text, intent in val:
        top = m.match(text, limit=1)
        score, entry = (top[0].score, top[0].entry_id) if top else (0.0, "")
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


if __name__ == "__main__":
    main()
