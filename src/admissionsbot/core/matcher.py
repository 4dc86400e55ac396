"""Question -> ranked FAQ entries, with rapidfuzz at the heart.

A single rapidfuzz scorer with "best phrasing wins" gets 0.80 top-1 on BANKING77
and cannot say "this is not in the FAQ". This matcher keeps rapidfuzz for
string similarity and typo correction but adds what it lacks:

1. retrieval: an inverted index over stemmed, typo-corrected words and word
   pairs finds the phrasings that share a meaningful word with the question;
2. phrasing similarity: rapidfuzz `token_sort_ratio` of each such phrasing;
3. entry relevance: the mean of an entry's best phrasings (one lucky phrasing
   is weak evidence), plus the average log-lift of the question's words (IDF-
   like: how much more often the entry's phrasings use them than the rest);
4. entry scores: per-entry weights over character n-grams learned from the
   phrasings at build time (`entryscores.py`): they see "topped"/"top-up"/"pop-up"
   and the question words that set similar entries apart;
5. meaning: with a distilled word-vector table (`meaning.py`), how close the
   question's meaning is to each candidate entry's closest phrasings: evidence
   for what is asked in other words, which no string similarity sees;
6. confidence: a logistic calibration of `Features` (below), fitted on BANKING77
   validation splits at several densities (phrasings per entry), so that 0-100
   scores mean roughly the same across questions and out-of-scope questions
   land low. Candidates are ordered by this confidence.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import NamedTuple

from rapidfuzz import fuzz

from .meaning import MeaningIndex, WordVectors
from .models import Candidate
from .normalize import synonym_map
from .textindex import IndexParams, QueryTerms, TextIndex, build_index

__all__ = ["Anchor", "Features", "Matcher", "ScoreParams", "interpolate"]

LOGIT_CLAMP = 50.0  # |z| beyond this is 0 or 100 to 20 digits anyway; keeps math.exp finite


class Features(NamedTuple):
    """What the confidence model sees of one (question, entry) pair."""

    relevance: float  # blended entry relevance (`Matcher._relevance`)
    best_tsr: float  # best token_sort_ratio of any of the entry's phrasings, 0-1
    min_lift: float  # the least supportive question word (floored at ScoreParams.lift_floor)
    coverage: float  # share of the question's content-word weight that the entry's phrasings use
    log_length: float  # log(1 + content words), capped at ScoreParams.length_cap
    behind_leader: float  # relevance minus the best relevance of any entry (<= 0)
    entry_score: float  # the entry scorer's score (character n-grams), 0 without a scorer
    behind_best_score: float  # entry_score minus the best entry score (<= 0)
    meaning: float  # mean cosine of the question with the entry's closest phrasings; 0 without evidence (no table...)
    behind_meaning: float  # meaning minus the best meaning among the ranked entries (<= 0)


class Anchor(NamedTuple):
    """Logistic calibration fitted at one knowledge-base density (phrasings per entry)."""

    density: float
    bias: float
    weights: Features  # one coefficient per feature, by name


@dataclass(frozen=True)
class ScoreParams:
    """Scoring constants, tuned on a BANKING77 validation split (benchmarks/ablation.py, tune_banking77.py)."""

    candidates: int | None = 150  # cap: phrasings per question that get rapidfuzz-scored
    posting_cap: int | None = 400  # cap: postings read per question term (impact-ordered)
    shortlist: int | None = 30  # cap: entries whose word lift is computed
    top_k: int = 2  # an entry's relevance averages its best k phrasings
    w_lift: float = 0.25  # relevance = mean best token_sort_ratio + w_lift * average log-lift; 0: no lift
    rerank: int = 10  # entries that get a calibrated confidence
    lift_floor: float = -5.0  # lowest lift a word can contribute
    length_cap: int = 16  # content words beyond this add no confidence (walls of text)
    # Fitted at several knowledge-base densities and interpolated in log density:
    # a near-verbatim phrasing means more when entries have 100 phrasings than 10.
    calibration: tuple[Anchor, ...] = field(default_factory=lambda: DEFAULT_CALIBRATION)
    # Used instead when the matcher has a word-vector table (the meaning features are then live).
    meaning_calibration: tuple[Anchor, ...] = field(default_factory=lambda: MEANING_CALIBRATION)


# benchmarks/tune_banking77.py prints these, ready to paste.
DEFAULT_CALIBRATION: tuple[Anchor, ...] = (
    Anchor(10.0, -7.463, Features(2.879, 2.116, 0.401, 1.234, 1.37, 5.376, 3.959, 9.833, 0.0, 0.0)),
    Anchor(30.0, -9.082, Features(2.914, 3.745, 0.304, 0.954, 1.676, 5.871, 3.479, 13.449, 0.0, 0.0)),
    Anchor(118.6, -12.234, Features(2.562, 6.623, 0.273, 1.034, 2.363, 5.888, 2.866, 15.81, 0.0, 0.0)),
)

# The same, fitted with a word-vector table distilled from the knowledge base's phrasings
# (tune_banking77.py prints both; the meaning features weigh more than any string feature).
MEANING_CALIBRATION: tuple[Anchor, ...] = (
    Anchor(10.0, -9.03, Features(2.422, 0.847, 0.249, 1.063, 0.805, 4.068, 1.382, 7.592, 6.614, 9.346)),
    Anchor(30.0, -11.497, Features(2.339, 1.546, 0.173, 0.562, 0.887, 4.6, 0.655, 9.813, 9.078, 11.727)),
    Anchor(118.6, -15.819, Features(2.137, 3.12, 0.141, 0.412, 1.4, 5.144, 0.483, 11.96, 11.4, 11.098)),
)


class Matcher:
    """Ranks FAQ entries for a question; build once, query many times."""

    index_params: IndexParams = IndexParams()
    score_params: ScoreParams = ScoreParams()

    def __init__(
        self,
        phrasings: Iterable[tuple[str, str]],
        synonyms: Mapping[str, Iterable[str]] | None = None,
        *,
        index_params: IndexParams | None = None,
        score_params: ScoreParams | None = None,
        vectors: WordVectors | None = None,
    ) -> None:
        """phrasings: (entry_id, text) pairs; an entry has several. Builds every index once here.

        The params default to the class attributes; benchmarks pass variants. `vectors`: a
        distilled word-vector table (meaning.py); without one the meaning features stay 0.
        """
        phrasings = list(phrasings)
        syn = synonym_map(synonyms) if synonyms else {}
        if index_params is not None:
            self.index_params = index_params
        if score_params is not None:
            self.score_params = score_params
        for anchor in (*self.score_params.calibration, *self.score_params.meaning_calibration):
            if len(anchor.weights) != len(Features._fields):
                raise ValueError(f"calibration at density {anchor.density} has {len(anchor.weights)} weights "
                                 f"for {len(Features._fields)} features ({', '.join(Features._fields)})")
        self.index: TextIndex = build_index(phrasings, syn, self.index_params)
        self.meaning: MeaningIndex | None = None
        if vectors is not None:
            number = {e: i for i, e in enumerate(self.index.entry_ids)}
            indexed = [(t, number[e]) for e, t in phrasings if e in number]  # entries of empty phrasings only: none
            self.meaning = MeaningIndex(vectors, [t for t, _ in indexed], [e for _, e in indexed],
                                        self.index.n_entries)
        density = self.size / max(1, self.index.n_entries)
        self._bias, self._weights = interpolate(self.score_params.calibration, density)
        # with a table: used for every (question, entry) with meaning evidence (see `confidence`)
        self._meaning_bias, self._meaning_weights = interpolate(self.score_params.meaning_calibration, density)

    @property
    def size(self) -> int:
        """Number of (non-empty) phrasings indexed."""
        return len(self.index.p_text)

    def match(self, question: str, limit: int = 5) -> list[Candidate]:
        """Ranked candidates, at most one per entry, best first, scores 0-100.

        [] when the question is empty or shares no meaningful word with the FAQ.
        """
        if limit <= 0 or not isinstance(question, str):
            return []
        found = self.candidates(question, max(limit, self.score_params.rerank))
        scored = sorted(((self.confidence(f), e) for e, f in found), key=lambda x: -x[0])
        ids = self.index.entry_ids
        return [Candidate(ids[e], round(s, 2)) for s, e in scored[:limit]]

    def candidates(self, question: str, n: int) -> list[tuple[int, Features]]:
        """(entry, features) of the `n` most relevant entries, most relevant first (not yet calibrated)."""
        q = self.index.query(question)
        if not q.vector:
            return []
        sims = self._phrasing_sims(q)
        if not sims:
            return []
        ranked = self._relevance(q, sims)[:n]
        scores = self.index.entry_scores(q)
        best = max(scores) if scores else 0.0
        lead = ranked[0][0]
        meanings = self._meanings(question, [e for _, e, _ in ranked])
        top_meaning = max((m for m in meanings if m is not None), default=0.0)
        return [(e, self.features(q, e, rel, tsr, lead, scores[e] if scores else 0.0, best,
                                  *((0.0, 0.0) if m is None else (m, top_meaning))))
                for (rel, e, tsr), m in zip(ranked, meanings, strict=True)]

    def _meanings(self, question: str, entries: list[int]) -> list[float | None]:
        """Each entry's meaning score for the question; None where there is no evidence (no table, no
        question word in it, or none of the entry's phrasings in it): that entry keeps the strings-only
        calibration rather than reading as "unrelated"."""
        vector = self.meaning.vectors.embed(question) if self.meaning is not None else None
        if vector is None or self.meaning is None:
            return [None] * len(entries)
        return self.meaning.scores(vector, entries)

    def confidence(self, f: Features) -> float:
        """Calibrated 0-100 confidence that the entry with these features answers the question.

        Meaning evidence present (a table, a question word in it, phrasings of the entry in it:
        the meaning features are not both 0) -> the calibration fitted with it; otherwise the
        strings-only one. Fitted with meaning, a missing meaning reads as "unrelated" ("heyyy").
        """
        if f.meaning or f.behind_meaning:
            bias, weights = self._meaning_bias, self._meaning_weights
        else:
            bias, weights = self._bias, self._weights
        z = bias + sum(w * x for w, x in zip(weights, f, strict=True))
        return 100.0 / (1.0 + math.exp(-max(-LOGIT_CLAMP, min(LOGIT_CLAMP, z))))

    # -- stages ----------------------------------------------------------------

    def _phrasing_sims(self, q: QueryTerms) -> dict[int, list[float]]:
        """entry -> [token_sort_ratio, 0-1] of the phrasings most likely to matter.

        Candidates come from the inverted index, ranked by weighted word overlap;
        each term contributes at most `posting_cap` postings (the phrasings where
        it weighs most), which bounds the cost of very common words without
        losing the phrasings they decide.
        """
        idx, sp = self.index, self.score_params
        acc: dict[int, float] = {}
        get = acc.get
        cap = sp.posting_cap
        for t, v in q.vector.items():
            post = idx.postings.get(t)
            if post:
                for pid, pw in post if cap is None or len(post) <= cap else islice(post, cap):
                    acc[pid] = get(pid, 0.0) + v * pw
        if not acc:  # a question of stop words only may still be "thank you"
            for t, v in q.vector.items():
                for pid, pw in idx.stop_postings.get(t, ()):
                    acc[pid] = get(pid, 0.0) + v * pw
            if not acc:
                return {}
        n = sp.candidates
        top = heapq.nlargest(n, acc, key=acc.__getitem__) if n is not None and len(acc) > n else list(acc)
        qsorted = " ".join(sorted(q.text.split()))
        ratio = fuzz.ratio
        p_entry, p_sorted = idx.p_entry, idx.p_sorted
        out: dict[int, list[float]] = {}
        for pid in top:
            tsr = ratio(qsorted, p_sorted[pid]) / 100.0  # == token_sort_ratio, tokens pre-sorted
            sims = out.get(p_entry[pid])
            if sims is None:
                out[p_entry[pid]] = [tsr]
            else:
                sims.append(tsr)
        return out

    def _relevance(self, q: QueryTerms, sims: dict[int, list[float]]) -> list[tuple[float, int, float]]:
        """(relevance, entry, best token_sort_ratio), most relevant first."""
        idx, sp = self.index, self.score_params
        qvec = list(q.vector.items())
        qsum = sum(v for _, v in qvec) or 1.0
        background = sum(v * idx.all_logp.get(t, idx.all_unseen) for t, v in qvec)
        sizes = idx.entry_sizes
        first = []
        for e, tsrs in sims.items():
            tsrs.sort(reverse=True)
            k = min(sp.top_k, sizes[e])
            first.append((sum(tsrs[:k]) / k, e, tsrs[0]))
        if sp.shortlist is not None and len(first) > sp.shortlist:
            first = heapq.nlargest(sp.shortlist, first)
        out = []
        for mean, e, best_tsr in first:
            rel = mean
            if sp.w_lift:
                logp, unseen = idx.entry_logp[e].get, idx.entry_unseen[e]
                rel += sp.w_lift * (sum([v * logp(t, unseen) for t, v in qvec]) - background) / qsum
            out.append((rel, e, best_tsr))
        out.sort(key=lambda x: -x[0])
        return out

    def features(
        self,
        q: QueryTerms,
        e: int,
        rel: float,
        best_tsr: float,
        lead: float,
        score: float,
        best_score: float,
        meaning: float = 0.0,
        top_meaning: float = 0.0,
    ) -> Features:
        """Inputs of the confidence model; `lead` is the best relevance of any entry, `score` the
        entry scorer's score of this entry and `best_score` of the best entry (0 without a scorer),
        `meaning` this entry's meaning score and `top_meaning` the best of the ranked entries'."""
        idx, sp = self.index, self.score_params
        lifts = [idx.lift(t, e) for t in q.unigrams]
        if q.unknown_weight:
            lifts.append(math.log(idx.unseen_share))
        min_lift = max(sp.lift_floor, min(lifts)) if lifts else 0.0
        known = idx.entry_logp[e]
        uni = [(t, q.vector[t]) for t in set(q.unigrams)]
        total = sum(v for _, v in uni) + q.unknown_weight
        cov = sum(v for t, v in uni if t in known) / total if total else 1.0  # no content word: none uncovered
        length = math.log1p(min(q.content_words, sp.length_cap))
        return Features(rel, best_tsr, min_lift, cov, length, rel - lead, score, score - best_score,
                        meaning, meaning - top_meaning)


def interpolate(anchors: tuple[Anchor, ...], density: float) -> tuple[float, Features]:
    """(bias, weights) for `density`, linear in log density between anchors, clamped at the ends."""
    pts = sorted(anchors)
    if density <= pts[0].density:
        return pts[0].bias, pts[0].weights
    for a, b in zip(pts, pts[1:], strict=False):  # neighbouring pairs: one fewer than pts
        if density <= b.density:
            t = (math.log(density) - math.log(a.density)) / (math.log(b.density) - math.log(a.density))
            weights = Features(*(x + t * (y - x) for x, y in zip(a.weights, b.weights, strict=True)))
            return a.bias + t * (b.bias - a.bias), weights
    return pts[-1].bias, pts[-1].weights
