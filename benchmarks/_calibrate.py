"""Fitting the matcher's confidence calibration, shared by tune_banking77.py and ablation.py.

Knowledge base = train.csv minus the validation split, with the held-out intents
removed; questions = the validation split (held-out intents' questions are the
out-of-scope ones). For each question the matcher's most relevant entries
become rows (`Features` -> "this entry is the right answer") of a logistic
regression, fitted by Newton's method (a few seconds in plain Python). This is
done at three densities: 10 and 30 phrasings per intent (seeded subsamples,
like a hand-written FAQ) and the whole split (~100 per intent); the matcher
interpolates between them. test.csv is never read here.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from _banking77 import Row, as_phrasings

from admissionsbot.core.matcher import Anchor, Features, Matcher, ScoreParams
from admissionsbot.core.meaning import WordVectors
from admissionsbot.core.textindex import IndexParams

PER_QUESTION = 5  # most relevant entries per question used as training rows
RERANK = 10  # entries per question whose confidence is compared when evaluating
DENSITIES = ((10, (1, 2, 3)), (30, (1, 2)), (None, (0,)))  # phrasings per intent (None: all), seeds
SEED_STRIDE = 1_000_000  # row question numbers: seed number x SEED_STRIDE + question number
L2 = 1e-3  # ridge penalty on standardised coefficients (keeps constant or collinear features finite)


@dataclass(frozen=True)
class Variant:
    """One matcher configuration: its build- and score-time parameters."""

    name: str
    index: IndexParams = IndexParams()
    score: ScoreParams = ScoreParams()
    # the word-vector table distilled from a knowledge base: (phrasings per intent or None for all,
    # subsample seed) -> table; None: no meaning features
    vectors: Callable[[int | None, int], WordVectors] | None = None

    def matcher(
        self,
        phrasings: list[tuple[str, str]],
        calibration: tuple[Anchor, ...] | None = None,
        vectors: WordVectors | None = None,
    ) -> Matcher:
        score = self.score
        if calibration is not None:  # the one in use: with a table, that is meaning_calibration
            score = replace(score, calibration=calibration, meaning_calibration=calibration)
        return Matcher(phrasings, index_params=self.index, score_params=score, vectors=vectors)


# (question number, entry, features, entry is the right answer)
Rows = list[tuple[int, int, Features, bool]]


def collect(m: Matcher, questions: Sequence[Row], oos: set[str], per_question: int = RERANK) -> Rows:
    """Features of the most relevant entries of every question (out-of-scope ones are never right)."""
    rows: Rows = []
    ids = m.index.entry_ids
    for qi, (text, intent) in enumerate(questions):
        for e, f in m.candidates(text, per_question):
            rows.append((qi, e, f, intent not in oos and ids[e] == intent))
    return rows


def subsample(rows: Sequence[Row], per_entry: int, seed: int) -> list[Row]:
    """At most `per_entry` phrasings per intent: a sparser knowledge base, like a hand-written FAQ."""
    by: dict[str, list[Row]] = {}
    for row in rows:
        by.setdefault(row[1], []).append(row)
    rng = random.Random(seed)
    out: list[Row] = []
    for intent in sorted(by):
        xs = by[intent][:]
        rng.shuffle(xs)
        out.extend(xs[:per_entry])
    return out


def density_rows(variant: Variant, kb: Sequence[Row], val: Sequence[Row], oos: set[str]) -> list[tuple[float, Rows]]:
    """(density, rows) at each density of DENSITIES, seeds pooled (question numbers offset by
    SEED_STRIDE per seed, so `question % SEED_STRIDE` is the validation question)."""
    out = []
    for per_entry, seeds in DENSITIES:
        rows: Rows = []
        density = 0.0
        for k, seed in enumerate(seeds):
            base = list(kb) if per_entry is None else subsample(kb, per_entry, seed)
            table = variant.vectors(per_entry, seed) if variant.vectors else None
            m = variant.matcher(as_phrasings(base, exclude=oos), vectors=table)
            density = m.size / m.index.n_entries
            rows += [(qi + k * SEED_STRIDE, e, f, ok) for qi, e, f, ok in collect(m, val, oos)]
        out.append((round(density, 1), rows))
    return out


def fit(rows: Rows, keep: Callable[[int], bool] = lambda qi: True) -> tuple[float, Features]:
    """Logistic regression of "right entry" on the features of each question's PER_QUESTION most relevant
    entries (rows of questions `keep` accepts), by Newton's method on standardised features."""
    xs: list[Features] = []
    ys: list[float] = []
    rank: dict[int, int] = {}
    for qi, _, f, label in rows:
        rank[qi] = rank.get(qi, -1) + 1
        if rank[qi] < PER_QUESTION and keep(qi):
            xs.append(f)
            ys.append(1.0 if label else 0.0)
    d = len(xs[0])  # Features, or a longer NamedTuple of an experiment (second_scorer.py)
    n = len(xs)
    cols = list(zip(*xs, strict=True))
    mu = [sum(c) / n for c in cols]
    sd = [math.sqrt(sum((v - m) ** 2 for v in c) / n) for c, m in zip(cols, mu, strict=True)]
    sd = [s if s > 1e-9 else 0.0 for s in sd]  # a constant feature (component off) gets weight 0
    zs = [[1.0] + [(v - m) / s if s else 0.0 for v, m, s in zip(x, mu, sd, strict=True)] for x in xs]
    w = [0.0] * (d + 1)
    for _ in range(50):
        g = [L2 * n * wi for wi in w]
        g[0] = 0.0
        h = [[(L2 * n if i == j and i else 0.0) for j in range(d + 1)] for i in range(d + 1)]
        for z, y in zip(zs, ys, strict=True):
            t = sum(a * b for a, b in zip(w, z, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, t))))
            r, s = p - y, p * (1.0 - p)
            for i, zi in enumerate(z):
                g[i] += r * zi
                if zi:
                    row, szi = h[i], s * zi
                    for j in range(i, d + 1):
                        row[j] += szi * z[j]
        for i in range(d + 1):
            h[i][i] = h[i][i] or 1.0  # a constant column: keep the system solvable
            for j in range(i):
                h[i][j] = h[j][i]
        step = _solve(h, g)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(v) for v in step) < 1e-7:
            break
    weights = [a / s if s else 0.0 for a, s in zip(w[1:], sd, strict=True)]
    bias = w[0] - sum(a * m for a, m in zip(weights, mu, strict=True))
    return bias, type(xs[0])._make(weights)


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the systems here are 9 x 9)."""
    n = len(b)
    m = [row[:] + [v] for row, v in zip(a, b, strict=True)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c and m[r][c]:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def anchors(per_density: list[tuple[float, Rows]], keep: Callable[[int], bool] = lambda qi: True) -> tuple[Anchor, ...]:
    """One fitted Anchor per density, rounded for pasting."""
    out = []
    for density, rows in per_density:
        bias, weights = fit(rows, keep)
        out.append(Anchor(density, round(bias, 3), Features(*(round(x, 3) for x in weights))))
    return tuple(out)


def confidence(calibration: tuple[float, Features], f: Features) -> float:
    """Matcher.confidence, for a calibration the matcher was not built with (one calibration: rows
    without meaning evidence, which the matcher scores with its strings-only one, are not told apart)."""
    bias, weights = calibration
    z = bias + sum(w * x for w, x in zip(weights, f, strict=True))
    return 100.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def best_per_question(
    calibration: Callable[[int], tuple[float, Features]], rows: Rows, n_questions: int
) -> list[tuple[float, bool]]:
    """(top confidence, top entry is right) per question ((0, False): nothing matched);
    `calibration(question)` gives the (bias, weights) to score that question with."""
    best: dict[int, tuple[float, bool]] = {}
    for qi, _, f, label in rows:
        s = confidence(calibration(qi), f)
        if qi not in best or s > best[qi][0]:
            best[qi] = (s, label)
    return [best.get(qi, (0.0, False)) for qi in range(n_questions)]
