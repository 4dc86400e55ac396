"""Fit the matcher's confidence calibration on the BANKING77 validation split.

    .venv/bin/python benchmarks/tune_banking77.py [BANKING77_DIR]

Knowledge base = train.csv minus the validation split, with the 27 held-out
intents removed; questions = the validation split (held-out intents' questions
are the out-of-scope ones). For each question the matcher's top shortlisted
entries become training rows (features -> "this entry is the right answer"),
and a small logistic regression (plain Python gradient descent) gives one
row of `ScoreParams.calibration` to paste into core/matcher.py. This is done
at three densities: 10 and 30 phrasings per intent (seeded subsamples, like a
hand-written FAQ) and the whole split (~100 per intent); the matcher
interpolates between them. test.csv is never read here.
"""

from __future__ import annotations

import math
import random
import sys
import time

from _banking77 import (
    as_phrasings,
    data_dir,
    in_scope_accuracy,
    load,
    oos_intents,
    oos_recall,
    pick_threshold,
    split_train,
)

from admissionsbot.core.matcher import Matcher

FEATURES = ["relevance", "best_tsr", "min_lift", "coverage", "log_length", "behind_leader"]
PER_QUESTION = 5  # shortlisted entries per question used as training rows


def collect(m: Matcher, questions, oos: set[str]):
    """(features, label, question number, rank) rows for the top entries of each question."""
    rows = []
    for qi, (text, intent) in enumerate(questions):
        q = m._index.query(text)
        if not q.vector:
            continue
        sims = m._phrasing_sims(q)
        if not sims:
            continue
        ranked = m._relevance(q, sims)
        for rank, (rel, e, tsr) in enumerate(ranked[:PER_QUESTION]):
            label = intent not in oos and m._index.entry_ids[e] == intent
            rows.append((m._features(q, e, rel, tsr, ranked[0][0]), label, qi, rank))
    return rows


def fit(rows, iters: int = 800, lr: float = 1.0, l2: float = 1e-4):
    """Logistic regression on standardised features; returns raw-scale (bias, weights...)."""
    xs = [r[0] for r in rows]
    ys = [1.0 if r[1] else 0.0 for r in rows]
    cols = list(zip(*xs, strict=True))
    mu = [sum(c) / len(c) for c in cols]
    sd = [max(1e-9, (sum((v - m) ** 2 for v in c) / len(c)) ** 0.5) for c, m in zip(cols, mu, strict=True)]
    zs = [[(v - m) / s for v, m, s in zip(x, mu, sd, strict=True)] for x in xs]
    w = [0.0] * len(mu)
    b = 0.0
    n = len(ys)
    for _ in range(iters):
        gw = [l2 * a for a in w]
        gb = 0.0
        for z, y in zip(zs, ys, strict=True):
            t = b + sum(a * c for a, c in zip(w, z, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, t))))
            d = (p - y) / n
            gb += d
            for i, c in enumerate(z):
                gw[i] += d * c
        b -= lr * gb
        w = [a - lr * g for a, g in zip(w, gw, strict=True)]
    raw_w = [a / s for a, s in zip(w, sd, strict=True)]
    raw_b = b - sum(a * m / s for a, m, s in zip(w, mu, sd, strict=True))
    return (raw_b, *raw_w)


def evaluate(calibration, rows, questions, oos):
    """Top-1 / OOS figures when the calibrated score ranks the shortlisted entries."""
    best: dict[int, tuple[float, bool]] = {}
    for f, label, qi, _ in rows:
        z = calibration[0] + sum(a * x for a, x in zip(calibration[1:], f, strict=True))
        s = 100.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
        if qi not in best or s > best[qi][0]:
            best[qi] = (s, label)
    ins, out = [], []
    for qi, (_, intent) in enumerate(questions):
        s, ok = best.get(qi, (0.0, False))
        if intent in oos:
            out.append(s)
        else:
            ins.append((s, ok))
    return ins, out


def subsample(rows, per_entry: int, seed: int):
    """At most `per_entry` phrasings per intent: a sparser knowledge base, like a hand-written FAQ."""
    by: dict[str, list] = {}
    for row in rows:
        by.setdefault(row[1], []).append(row)
    rng = random.Random(seed)
    out = []
    for intent in sorted(by):
        xs = by[intent][:]
        rng.shuffle(xs)
        out.extend(xs[:per_entry])
    return out


def main() -> None:
    path = data_dir(sys.argv)
    kb, val = split_train(load(path, "train.csv"))
    oos = oos_intents(path)
    anchors = []
    for per_entry, seeds in ((10, (1, 2, 3)), (30, (1, 2)), (None, (0,))):
        rows, density = [], 0.0
        t0 = time.perf_counter()
        for seed in seeds:
            base = kb if per_entry is None else subsample(kb, per_entry, seed)
            m = Matcher(as_phrasings(base, exclude=oos))
            density = m.size / m._index.n_entries
            rows += [(f, label, qi + 100_000 * seed, r) for f, label, qi, r in collect(m, val, oos)]
        cal = fit(rows)
        anchors.append((round(density, 1), tuple(round(c, 3) for c in cal)))
        ins, out = (
            evaluate(cal, [r for r in rows if r[2] < 100_000 * (seeds[0] + 1)], val, oos)
            if len(seeds) == 1
            else (None, None)
        )
        print(f"density {density:6.1f} phrasings/entry: {len(rows)} rows in {time.perf_counter() - t0:.1f}s")
        print("  calibration", anchors[-1][1])
        if ins is not None:
            t = pick_threshold(ins, out)
            top1 = sum(ok for _, ok in ins) / len(ins)
            print(f"  validation in-scope top-1 {top1:.3f}; threshold {t:.1f}: in-scope acc "
                  f"{in_scope_accuracy(ins, t):.3f}, OOS recall {oos_recall(out, t):.3f}")
    print("\nScoreParams.calibration = (")
    for density, cal in anchors:
        print(f"    ({density}, {cal}),")
    print(")")
    print("features:", ", ".join(FEATURES))


if __name__ == "__main__":
    main()
