"""Experiment for issue 15: does a second linear model over the *raw* question text pay, fused into the Matcher?

    .venv/bin/python benchmarks/second_scorer.py [BANKING77_DIR] [--splits N] [--svc-json FILE]  # ~25 s a split

Not part of the shipped matcher: this measures a candidate component before paying its build time.
The shipped matcher sees normalised, typo-corrected, stemmed text (punctuation, contractions and
synonyms folded); its entry scorer (core/entryscores.py) sees character n-grams of those words.
A linear model over the text as typed (scikit-learn's analysers: lower-cased `\\b\\w\\w+\\b` words and
word pairs, char_wb 3-4 grams with punctuation kept) errs differently, and that is what fusion needs.

Second scorers compared, each adding two features (its score of the entry, and how far that trails
its best entry) to the shipped `Features`:
- `PA raw`: the shipped entry scorer's trainer (averaged passive-aggressive) on the raw features;
- `SVM raw, k epochs`: a one-vs-rest L2-loss linear SVM trained by dual coordinate descent
  (Hsieh et al. 2008, as liblinear / LinearSVC do), every entry's weights packed in one Python
  integer per feature (64-bit lanes), so an update of all violated entries is one big-integer
  multiply-add per feature, in pure Python.

`--svc-json FILE` adds scikit-learn's LinearSVC as a second scorer, from the decision values that
`reference_sklearn.py --dump FILE` wrote (scikit-learn is not a dependency; that script says how
to run it): the figure that tells what a well-fitted linear model would add.

Protocol (as ablation.py, at one density to stay quick): the calibration is fitted on the OOS
variant's rows (the whole knowledge base minus validation, held-out intents removed) and
cross-fitted on the two halves of the validation questions; figures are on validation only
(test.csv and tests/golden/report.yaml are never read). `--splits N`: N seeded splits, then means.
"""

from __future__ import annotations

import json
import math
import random
import re
import statistics
import struct
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import chain
from operator import mul
from pathlib import Path
from typing import NamedTuple

from _banking77 import (
    SEED,
    Row,
    as_phrasings,
    data_dir,
    in_scope_accuracy,
    load,
    oos_intents,
    oos_recall,
    option,
    pick_threshold,
    split_train,
)
from _calibrate import RERANK, best_per_question, fit

from admissionsbot.core.entryscores import ScorerParams, char_grams, train_entry_scorer
from admissionsbot.core.matcher import Features, Matcher

TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
LANE_BITS = 64
WEIGHT_SCALE = 1 << 24  # a weight of 1.0
VALUE_SCALE = 256  # a feature value of 1.0 (unit-length vectors)
OFFSET = 1 << 30  # every lane holds OFFSET + weight (weights stay within +-64), so lanes never go negative
DELTA_BIAS = 1 << 62  # per-lane bias while packing signed updates with struct (removed after packing)


class Extended(NamedTuple):
    """The shipped features plus a second scorer's two."""

    relevance: float
    best_tsr: float
    min_lift: float
    coverage: float
    log_length: float
    behind_leader: float
    entry_score: float
    behind_best_score: float
    meaning: float  # 0 here: second scorers are measured against the strings-only matcher
    behind_meaning: float
    second_score: float
    behind_best_second: float


# the shipped features come first, in the shipped order (a change of Features must be mirrored here)
assert Extended._fields[: len(Features._fields)] == Features._fields

Scores = Callable[[str], list[float] | None]  # raw question -> every entry's score


def raw_features(text: str) -> set[str]:
    """Words, word pairs and char_wb 3-4 grams of the text as typed (lower-cased only)."""
    low = text.lower()
    words = TOKEN.findall(low)
    grams = [g for w in low.split() for g in char_grams(w, 3, 4)]
    return {*grams, *("=" + w for w in words), *(f"={a} {b}" for a, b in zip(words, words[1:], strict=False))}


def _unit(feats: set[str], idf: dict[str, float]) -> tuple[list[str], list[int]]:
    """IDF weights scaled to unit length as 0..VALUE_SCALE integers: entryscores._unit_vector without its
    MAX_FEATURES cap, which 32-bit lanes need and 64-bit lanes do not (raw texts reach 600 features)."""
    gs = [g for g in feats if g in idf]
    vs = [idf[g] for g in gs]
    norm = math.sqrt(math.fsum(v * v for v in vs)) or 1.0
    return gs, [round(v * VALUE_SCALE / norm) for v in vs]


def train_svm(texts: Sequence[str], labels: Sequence[int], n: int, c: float = 1.0, epochs: int = 3) -> Scores:
    """One-vs-rest L2-loss SVM by dual coordinate descent over binary TF-IDF unit vectors."""
    feats = [raw_features(t) for t in texts]
    df = Counter(chain.from_iterable(feats))
    idf = {g: math.log((1 + len(feats)) / (1 + d)) + 1.0 for g, d in df.items()}
    vectors = [_unit(f, idf) for f in feats]
    fmt, unit = f"<{n}Q", WEIGHT_SCALE * VALUE_SCALE
    weights = dict.fromkeys(idf, sum(OFFSET << (LANE_BITS * e) for e in range(n)))
    biases = sum(DELTA_BIAS << (LANE_BITS * e) for e in range(n))
    get, diag = weights.__getitem__, 1.0 / (2 * c)
    alpha: list[dict[int, float]] = [{} for _ in vectors]
    order, rng = list(range(len(vectors))), random.Random(SEED)
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            gs, qs = vectors[i]
            if not gs:
                continue
            q_ii = sum(map(mul, qs, qs)) / VALUE_SCALE**2 + diag
            off = OFFSET * sum(qs)
            lanes = struct.unpack(fmt, sum(map(mul, map(get, gs), qs)).to_bytes(n * 8, "little"))
            a_i, own = alpha[i], labels[i]
            # entries whose dual variable can move: the own entry, those with alpha > 0, and the
            # others scoring above -1 (the rest satisfy their margin and stay at alpha = 0)
            active = {e for e, v in enumerate(lanes) if v > off - unit} | {own} | a_i.keys()
            deltas, moved = [DELTA_BIAS] * n, False
            for e in active:
                y = 1.0 if e == own else -1.0
                a = a_i.get(e, 0.0)
                grad = y * (lanes[e] - off) / unit - 1.0 + a * diag
                new = max(a - grad / q_ii, 0.0)
                if new != a:
                    deltas[e] += round((new - a) * y * WEIGHT_SCALE / VALUE_SCALE)
                    moved = True
                    if new > 0:
                        a_i[e] = new
                    else:
                        a_i.pop(e, None)
            if moved:
                step = int.from_bytes(struct.pack(fmt, *deltas), "little") - biases
                for g, q in zip(gs, qs, strict=True):
                    weights[g] += q * step

    def scores(text: str) -> list[float] | None:
        gs, qs = _unit(raw_features(text), idf)
        if not gs:
            return None
        lanes = struct.unpack(fmt, sum(map(mul, map(get, gs), qs)).to_bytes(n * 8, "little"))
        off = OFFSET * sum(qs)
        return [(v - off) / unit for v in lanes]

    return scores


def train_pa(texts: Sequence[str], labels: Sequence[int], n: int) -> Scores:
    """The shipped entry scorer's trainer, fed the raw features instead of the normalised words."""

    def split(text: str) -> tuple[list[str], list[str]]:
        low = text.lower()
        words = TOKEN.findall(low)
        return low.split(), words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]

    parts = [split(t) for t in texts]
    model = train_entry_scorer([p[0] for p in parts], [p[1] for p in parts], labels, n, ScorerParams(words=True))
    assert model is not None
    return lambda text: model.scores(*split(text))


Rows = list[tuple[int, int, Extended, bool]]


def collect(m: Matcher, second: Scores | None, questions: Sequence[Row], oos: set[str]) -> Rows:
    """The shipped matcher's candidates of every question, with the second scorer's two features."""
    rows: Rows = []
    ids = m.index.entry_ids
    for qi, (text, intent) in enumerate(questions):
        extra = second(text) if second else None
        best = max(extra) if extra else 0.0
        for e, f in m.candidates(text, RERANK):
            x = extra[e] if extra else 0.0
            rows.append((qi, e, Extended(*f, x, x - best), intent not in oos and ids[e] == intent))
    return rows


Trainer = Callable[[Sequence[str], Sequence[int], int], Scores]
SECONDS: dict[str, Trainer | None] = {
    "shipped (no second scorer)": None,
    "PA raw": train_pa,
    "SVM raw, 2 epochs": lambda t, y, n: train_svm(t, y, n, epochs=2),
    "SVM raw, 3 epochs": lambda t, y, n: train_svm(t, y, n, epochs=3),
}


def alone_top1(scores: Sequence[list[float] | None], ids: Sequence[str], questions: Sequence[Row]) -> float:
    """Top-1 of a scorer on its own: its best-scoring entry against each question's intent."""
    hits = [s is not None and ids[max(range(len(s)), key=s.__getitem__)] == intent
            for s, (_, intent) in zip(scores, questions, strict=True)]
    return sum(hits) / len(hits)


SVC_DUMPED = "LinearSVC (scikit-learn, dumped)"


def dumped(table: dict[str, dict[str, dict[str, float]]], key: str, ids: Sequence[str]) -> Scores:
    """Decision values written by reference_sklearn.py --dump, in the matcher's entry order."""
    values = table[key]
    return lambda text: [values[text][i] for i in ids] if text in values else None


def one_split(
    train: list[Row], seed: int, oos: set[str], svc: dict[str, dict[str, dict[str, float]]] | None = None
) -> dict[str, dict[str, float]]:
    kb, val = split_train(train, seed)
    out: dict[str, dict[str, float]] = {}
    built = {}
    for name, kb_rows in (("full", as_phrasings(kb)), ("oos", as_phrasings(kb, exclude=oos))):
        m = Matcher(kb_rows)
        built[name] = (m, [m.index.entry_ids.index(e) for e, _ in kb_rows], [t for _, t in kb_rows])
    index = built["full"][0].index
    shipped_alone = alone_top1([index.entry_scores(index.query(t)) for t, _ in val], index.entry_ids, val)
    print(f"  split {seed}: the shipped entry scorer alone (char 3-4 grams of the normalised words): top-1 "
          f"{shipped_alone:.3f}", flush=True)
    seconds = {**SECONDS, SVC_DUMPED: None} if svc is not None else SECONDS
    for name, trainer in seconds.items():
        rows, alone, build = {}, 0.0, 0.0
        for kind, (m, labels, texts) in built.items():
            t0 = time.perf_counter()
            second = trainer(texts, labels, m.index.n_entries) if trainer else None
            if name == SVC_DUMPED and svc is not None:
                second = dumped(svc, f"{seed}:{kind}", m.index.entry_ids)
            build = time.perf_counter() - t0 if kind == "full" else build
            if second and kind == "full":
                alone = alone_top1([second(t) for t, _ in val], m.index.entry_ids, val)
            rows[kind] = collect(m, second, val, oos if kind == "oos" else set())
        folds = [fit(rows["oos"], keep=lambda qi, k=k: qi % 2 == k) for k in (0, 1)]

        def other_half(qi: int, folds: list[tuple[float, Features]] = folds) -> tuple[float, Features]:
            return folds[1 - qi % 2]  # a question is scored by the calibration fitted on the other half

        best = best_per_question(other_half, rows["full"], len(val))
        top1 = sum(ok for _, ok in best) / len(best)
        best = best_per_question(other_half, rows["oos"], len(val))
        ins = [b for b, (_, intent) in zip(best, val, strict=True) if intent not in oos]
        outs = [s for (s, _), (_, intent) in zip(best, val, strict=True) if intent in oos]
        t = pick_threshold(ins, outs)
        out[name] = {"alone": alone, "top1": top1, "ins_top1": sum(ok for _, ok in ins) / len(ins),
                     "ins_acc": in_scope_accuracy(ins, t), "oos_rec": oos_recall(outs, t), "train_s": build}
        print(f"  split {seed}: {name:28s} alone {alone:.3f} | fused top-1 {top1:.4f} in-scope top-1 "
              f"{out[name]['ins_top1']:.4f} in-scope acc {out[name]['ins_acc']:.4f} OOS recall "
              f"{out[name]['oos_rec']:.4f} | train {build:.2f}s", flush=True)
    return out


def main() -> None:
    args = [a for a in sys.argv if not a.startswith("--")]
    splits = int(option("--splits", args) or 1)
    svc_file = option("--svc-json", args)
    svc = json.loads(Path(svc_file).read_text(encoding="utf-8")) if svc_file else None
    path = data_dir(args)
    train, oos = load(path, "train.csv"), oos_intents(path)
    seeds = [SEED, *range(1, splits)]
    results = [one_split(train, s, oos, svc) for s in seeds]
    print(f"\nmeans over {len(seeds)} split(s):")
    for name in results[0]:
        f = {k: statistics.fmean(r[name][k] for r in results) for k in results[0][name]}
        print(f"  {name:28s} alone {f['alone']:.3f} | fused top-1 {f['top1']:.4f} in-scope top-1 {f['ins_top1']:.4f} "
              f"in-scope acc {f['ins_acc']:.4f} OOS recall {f['oos_rec']:.4f} | train {f['train_s']:.2f}s")


if __name__ == "__main__":
    main()
