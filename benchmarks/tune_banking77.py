"""Fit the matcher's confidence calibration on the BANKING77 validation split.

    .venv/bin/python benchmarks/tune_banking77.py [BANKING77_DIR]

Knowledge base = train.csv minus the validation split, with the 27 held-out
intents removed; questions = the validation split (held-out intents' questions
are the out-of-scope ones). The matcher's most relevant entries per question
become rows of a logistic regression (`_calibrate.fit`, Newton's method) at
three densities: 10 and 30 phrasings per intent (seeded subsamples, like a
hand-written FAQ) and the whole split (~100 per intent); the matcher
interpolates between them. Prints `DEFAULT_CALIBRATION` (no word-vector table:
meaning features 0) and `MEANING_CALIBRATION` (with the table distilled from this
knowledge base only, benchmarks/vectors/banking77-kb-SEED.vectors), ready to
paste into core/matcher.py. test.csv is never read here.
"""

from __future__ import annotations

import sys
import time

from _banking77 import (
    Row,
    data_dir,
    in_scope_accuracy,
    load,
    oos_intents,
    oos_recall,
    pick_threshold,
    split_tables,
    split_train,
)
from _calibrate import SEED_STRIDE, Variant, anchors, best_per_question, density_rows

from admissionsbot.core.matcher import Features, interpolate


def main() -> None:
    path = data_dir(sys.argv)
    kb, val = split_train(load(path, "train.csv"))
    oos = oos_intents(path)
    tune("DEFAULT_CALIBRATION", Variant("shipped"), kb, val, oos)
    tune("MEANING_CALIBRATION", Variant("shipped + meaning", vectors=split_tables()), kb, val, oos)
    print("features:", ", ".join(Features._fields))


def tune(name: str, variant: Variant, kb: list[Row], val: list[Row], oos: set[str]) -> None:
    t0 = time.perf_counter()
    per_density = density_rows(variant, kb, val, oos)
    fitted = anchors(per_density)
    print(f"{sum(len(r) for _, r in per_density)} rows at densities "
          f"{', '.join(str(d) for d, _ in per_density)} in {time.perf_counter() - t0:.0f}s")
    density, rows = per_density[-1]
    best = best_per_question(lambda qi: interpolate(fitted, density), rows, len(val))
    ins = [b for b, (_, intent) in zip(best, val, strict=True) if intent not in oos]
    out = [s for (s, _), (_, intent) in zip(best, val, strict=True) if intent in oos]
    t = pick_threshold(ins, out)
    print(f"validation (in-sample) at density {density}: in-scope top-1 {sum(ok for _, ok in ins) / len(ins):.3f}; "
          f"threshold {t:.1f}: in-scope acc {in_scope_accuracy(ins, t):.3f}, OOS recall {oos_recall(out, t):.3f}")
    assert all(qi < SEED_STRIDE for qi, *_ in rows)  # the whole split is one seed
    print(f"\n{name}: tuple[Anchor, ...] = (")
    for a in fitted:
        print(f"    Anchor({a.density}, {a.bias}, Features({', '.join(str(x) for x in a.weights)})),")
    print(")\n")


if __name__ == "__main__":
    main()
