"""Per-entry discriminative weights over character n-grams, learned from the phrasings at build time.

The word index (`textindex.py`) finds phrasings that share words with a question
and scores them one by one; it cannot learn that "top up" questions start with
"why" while "top-up limits" questions start with "how much", nor that "pop-up"
and "topped" point at top-ups. A linear model over character n-grams of each
word (scikit-learn's `char_wb`) learns exactly that, and on BANKING77 it is
where a TF-IDF + logistic regression model gets its edge. This module trains
such a model in pure Python within a bounded build time:

- features: the 3-5 character n-grams of each word padded with spaces
  (" card " -> " ca", "car", "ard", "rd ", " car", ...), binary, IDF-weighted
  and scaled to unit length; optionally the index's word terms too;
- model: one weight per (n-gram, entry), started at the entries' centroids and
  corrected by passive-aggressive updates (Crammer et al. 2006): a training
  phrasing whose own entry does not beat the best other entry by `margin`
  moves weight from that entry to its own; snapshots taken along the way are
  averaged (the last weights overfit the last phrasings seen);
- speed: every n-gram's weights for all entries live in ONE Python integer, each
  entry a 32-bit lane (offset so that lanes never go negative). Scoring a
  phrasing against every entry is then one big-integer multiply-add per n-gram
  (C speed), and `int.to_bytes` + `struct.unpack` read all lanes at once. This is
  what makes training affordable without numpy (about 0.5 s per epoch at
  10,000 phrasings).

Caps bound the cost on large knowledge bases: at most `max_visits` training
steps are taken, and at most `lane_budget` (n-gram, entry) weights are stored
(the n-grams used by the most phrasings are kept: the frequent ones carry the
discriminative signal, the rare ones the word index already handles).
"""

from __future__ import annotations

import math
import random
import struct
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import add, mul

__all__ = ["EntryScorer", "ScorerParams", "char_grams", "train_entry_scorer"]

LANE_BITS = 32  # one entry's weight per 32 bits of the packed integer
LANE_BYTES = LANE_BITS // 8
WEIGHT_SCALE = 1 << 12  # fixed point: a weight of 1.0 is stored as 4096 (an update's rounding error < 2%)
VALUE_SCALE = 1 << 8  # feature values (<= 1 after unit scaling) as 0..256
# Lanes hold OFFSET + weight so that they never borrow from their neighbour:
# weights start at <= 1 and each update moves them by <= step_cap x a feature
# value (~0.1); `_average` rejects a model whose weights left +-32.
OFFSET = 32 * WEIGHT_SCALE
# A text uses at most its this many most informative n-grams, so that no lane sum
# can overflow 32 bits, even for a wall of text:
# MAX_FEATURES**0.5 * VALUE_SCALE * 2 * OFFSET < 2**32.
MAX_FEATURES = 320
WORD_PREFIX = "="  # word features never collide with a character n-gram ("card" is both)
SEED = 20261201  # training order is shuffled, but the same phrasings always give the same model
_SCORE_SCALE = float(WEIGHT_SCALE * VALUE_SCALE)  # a lane sum in units of weight x feature value
_MAX_GRAM_CACHE = 50_000  # words whose n-grams are remembered (questions bring new words forever)


@dataclass(frozen=True)
class ScorerParams:
    """Build-time settings of the entry scorer, chosen on the BANKING77 validation split (benchmarks/ablation.py)."""

    enabled: bool = True
    char_min: int = 3  # n-gram lengths (char_max 0: no n-grams): 3-4 as good as 2-5 or 3-5, and cheaper
    char_max: int = 4
    words: bool = False  # also the index's word and word-pair terms (no gain over n-grams alone)
    epochs: int = 2  # passes over the phrasings (0: the untrained centroid model)
    snapshots: int = 4  # weight snapshots averaged per epoch
    margin: float = 0.1  # a phrasing's own entry must lead by this much, or it updates
    step_cap: float = 0.5  # largest single update (passive-aggressive "PA-I" cap)
    max_visits: int | None = 30_000  # cap on training steps (phrasings x epochs); None: no cap
    lane_budget: int | None = 4_000_000  # cap on stored weights (n-grams x entries, 4 bytes each); None: no cap


def char_grams(word: str, lo: int, hi: int) -> list[str]:
    """The `lo`-`hi` character n-grams of `word` padded with one space each side (scikit-learn's char_wb)."""
    padded = f" {word} "
    n_chars = len(padded)
    return [padded[i : i + n] for n in range(lo, hi + 1) for i in range(n_chars - n + 1)]


@dataclass(frozen=True)
class EntryScorer:
    """Packed per-entry weights: `weights[feature]` holds every entry's weight in 32-bit lanes."""

    params: ScorerParams
    n_entries: int
    idf: dict[str, float]
    weights: dict[str, int]
    _grams: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)  # memo per word

    def features(self, words: Iterable[str], terms: Iterable[str]) -> set[str]:
        """The feature set of a text: n-grams of its words (cached per word), and its terms if enabled."""
        p, cache = self.params, self._grams
        out: list[str] = []
        for w in words:
            grams = cache.get(w)
            if grams is None:
                grams = char_grams(w, p.char_min, p.char_max) if p.char_max else []
                if len(cache) < _MAX_GRAM_CACHE:
                    cache[w] = grams
            out += grams
        if p.words:
            out += [WORD_PREFIX + t for t in terms]
        return set(out)

    def scores(self, words: Iterable[str], terms: Iterable[str]) -> list[float] | None:
        """Every entry's score for a question (roughly -1..1), or None when no feature is known."""
        gs, qs = _unit_vector(self.features(words, terms), self.idf)
        if not gs:
            return None
        acc = sum(map(mul, map(self.weights.__getitem__, gs), qs))
        off = OFFSET * sum(qs)
        return [(v - off) / _SCORE_SCALE for v in _lanes(acc, self.n_entries)]


def _lanes(packed: int, n: int) -> tuple[int, ...]:
    """All n 32-bit lanes of a packed non-negative integer, lowest first, in one C call."""
    return struct.unpack(f"<{n}I", packed.to_bytes(n * LANE_BYTES, "little"))


def _unit_vector(feats: Iterable[str], idf: dict[str, float]) -> tuple[list[str], list[int]]:
    """Known features and their IDF weights scaled to unit length, as integers 0..VALUE_SCALE;
    at most MAX_FEATURES of them, the most informative (highest IDF) first."""
    gs = [g for g in feats if g in idf]
    if len(gs) > MAX_FEATURES:
        gs = sorted(gs, key=lambda g: (-idf[g], g))[:MAX_FEATURES]
    vs = list(map(idf.__getitem__, gs))
    norm = math.sqrt(math.fsum(map(mul, vs, vs))) or 1.0  # fsum: exact, so set order cannot matter
    return gs, list(map(round, map(mul, vs, repeat(VALUE_SCALE / norm))))


def train_entry_scorer(
    words: Sequence[Sequence[str]],
    terms: Sequence[Sequence[str]],
    labels: Sequence[int],
    n_entries: int,
    params: ScorerParams,
) -> EntryScorer | None:
    """Learn the packed weights from phrasings (their words, index terms and entry numbers).

    None when disabled or when there is nothing to tell apart (fewer than two entries).
    """
    if not params.enabled or n_entries < 2 or not labels:
        return None
    empty = EntryScorer(params, n_entries, {}, {})
    # tuples: a phrasing's ~80 n-grams take a fifth of the memory of a set
    feats = [tuple(empty.features(w, t)) for w, t in zip(words, terms, strict=True)]
    df = Counter(chain.from_iterable(feats))
    if params.lane_budget is not None and len(df) * n_entries > params.lane_budget:
        df = Counter(dict(df.most_common(max(1, params.lane_budget // n_entries))))
    n = len(feats)
    idf = {g: math.log((1 + n) / (1 + d)) + 1.0 for g, d in df.items()}  # scikit-learn's smooth IDF
    # compact while training (a tuple and 2-byte values: a fifth of two lists); the n-gram
    # tuples go at once (at 50,000 phrasings they alone take ~35 MiB)
    vectors = [(tuple(gs), array("H", qs)) for gs, qs in (_unit_vector(f, idf) for f in feats)]
    del feats
    weights = _centroids(vectors, labels, n_entries, idf)
    epochs, visits = params.epochs, n  # visits: phrasings seen per epoch
    if params.max_visits is not None and epochs * n > params.max_visits:
        epochs = min(epochs, max(1, params.max_visits // n))
        visits = min(n, params.max_visits // epochs)
    if epochs:
        total, k = _train(weights, vectors, labels, n_entries, params, epochs, visits)
        averaged = _average(total, k, n_entries) if k else None
        # out of range (never seen in practice): the untrained centroid model is still sound
        weights = averaged if averaged is not None else _centroids(vectors, labels, n_entries, idf)
    return EntryScorer(params, n_entries, idf, weights, empty._grams)


def _centroids(
    vectors: list[tuple[tuple[str, ...], array[int]]], labels: Sequence[int], n_entries: int, idf: dict[str, float]
) -> dict[str, int]:
    """Start: each entry's weights are its unit-length centroid, IDF times how many of its phrasings
    use each n-gram (a nearest-centroid model; counted in C by Counter)."""
    members: list[list[tuple[str, ...]]] = [[] for _ in range(n_entries)]
    for (gs, _), e in zip(vectors, labels, strict=True):
        members[e].append(gs)
    base = sum(OFFSET << (LANE_BITS * e) for e in range(n_entries))
    weights = dict.fromkeys(idf, base)
    for e, lists in enumerate(members):
        centroid = {g: c * idf[g] for g, c in Counter(chain.from_iterable(lists)).items()}
        norm = math.sqrt(math.fsum(v * v for v in centroid.values())) or 1.0
        f, shift = WEIGHT_SCALE / norm, LANE_BITS * e
        for g, v in centroid.items():
            weights[g] += round(v * f) << shift
    return weights


def _train(
    weights: dict[str, int],
    vectors: list[tuple[tuple[str, ...], array[int]]],
    labels: Sequence[int],
    n_entries: int,
    params: ScorerParams,
    epochs: int,
    visits: int,
) -> tuple[dict[str, int], int]:
    """Passive-aggressive epochs over (at most `visits` of) the phrasings, in place.

    Returns the sum of the weight snapshots taken along the way and their number.
    """
    order = list(range(len(vectors)))
    rng = random.Random(SEED)
    unit = WEIGHT_SCALE * VALUE_SCALE
    margin = round(params.margin * unit)
    get = weights.__getitem__
    total = dict.fromkeys(weights, 0)
    every = max(1, visits // max(1, params.snapshots))
    taken = 0
    for _ in range(epochs):
        rng.shuffle(order)
        for n, i in enumerate(order[:visits], 1):
            gs, qs = vectors[i]
            own = labels[i]
            # every lane carries the same offset, so raw lanes compare like scores; 0 is below them all
            sc = list(_lanes(sum(map(mul, map(get, gs), qs)), n_entries))
            mine, sc[own] = sc[own], 0
            best = max(sc)
            if best + margin > mine and gs:
                other = sc.index(best)
                step = min(params.step_cap, (best + margin - mine) / (2 * unit))  # PA-I, |x| = 1
                move = (1 << (LANE_BITS * own)) - (1 << (LANE_BITS * other))
                f = step * WEIGHT_SCALE / VALUE_SCALE
                deltas = map(mul, map(round, map(mul, qs, repeat(f))), repeat(move))
                weights.update(zip(gs, map(add, map(get, gs), deltas), strict=True))
            if n % every == 0:
                for g, v in weights.items():
                    total[g] += v
                taken += 1
    return total, taken


def _average(total: dict[str, int], k: int, n_entries: int) -> dict[str, int] | None:
    """Lane-wise mean of k summed snapshots, packed again; None if a weight left +-32 (a lane
    would then have borrowed from its neighbour) or a sum outgrew its lane."""
    fmt = f"<{n_entries}I"
    out = {}
    try:
        for g, v in total.items():
            lanes = [(x + k // 2) // k for x in _lanes(v, n_entries)]
            if min(lanes) <= 0 or max(lanes) >= 2 * OFFSET:
                return None
            out[g] = int.from_bytes(struct.pack(fmt, *lanes), "little")
    except OverflowError:
        return None
    return out
