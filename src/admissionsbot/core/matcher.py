"""Question -> ranked FAQ entries, with rapidfuzz at the heart.

A single rapidfuzz scorer with "best phrasing wins" gets 0.80 top-1 on BANKING77
and cannot say "this is not in the FAQ". This matcher keeps rapidfuzz for
string similarity and typo correction but adds what it lacks:

1. retrieval: an inverted index over stemmed, typo-corrected words and word
   pairs finds the phrasings that share a meaningful word with the question;
2. phrasing similarity: weighted cosine (IDF x how well a word tells entries
   apart) blended with rapidfuzz `token_sort_ratio`;
3. entry relevance: the mean of an entry's best phrasings (one lucky phrasing
   is weak evidence), plus two views of the entry's pooled phrasings: cosine
   to its profile and the average log-lift of the question's words for it;
4. confidence: a logistic calibration of relevance, best `token_sort_ratio`,
   the least supportive question word, word coverage, question length and how
   far the entry trails the most relevant one, fitted on BANKING77 validation
   splits at several densities (phrasings per entry), so that 0-100 scores
   mean roughly the same across questions and out-of-scope questions land low.
   Candidates are ordered by this confidence.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice

from rapidfuzz import fuzz

from .models import Candidate
from .normalize import synonym_map
from .textindex import IndexParams, QueryTerms, TextIndex

__all__ = ["Matcher", "ScoreParams"]


@dataclass(frozen=True)
class ScoreParams:
    """Scoring constants, tuned on a BANKING77 validation split (benchmarks/tune_banking77.py)."""

    candidates: int = 150  # phrasings per question that get rapidfuzz-scored
    posting_cap: int = 400  # postings read per question term (impact-ordered)
    shortlist: int = 30  # entries whose pooled profile is consulted
    top_k: int = 2  # an entry's relevance averages its best k phrasings
    w_cos: float = 0.3  # phrasing similarity = w_cos * cosine + (1 - w_cos) * token_sort_ratio
    w_mean: float = 0.8
    w_profile: float = 0.2
    w_lift: float = 0.2
    rerank: int = 10  # entries that get a calibrated confidence
    lift_floor: float = -5.0  # lowest lift a word can contribute
    length_cap: int = 16  # content words beyond this add no confidence (walls of text)
    # Logistic calibration (bias, relevance, best token_sort_ratio, min lift, coverage,
    # log length, relevance behind the leader), fitted at several knowledge-base
    # densities (phrasings per entry) and interpolated in log density: a
    # near-verbatim phrasing means more when entries have 100 phrasings than 10.
    calibration: tuple[tuple[float, tuple[float, ...]], ...] = (
        (10.0, (-8.942, 4.332, 5.45, 0.547, 1.17, 1.75, 8.686)),
        (30.0, (-10.903, 4.002, 7.368, 0.446, 0.812, 2.104, 9.192)),
        (118.6, (-13.716, 3.613, 8.992, 0.396, 0.834, 2.826, 8.686)),
    )


class Matcher:
    """Ranks FAQ entries for a question; build once, query many times."""

    index_params: IndexParams = IndexParams()
    score_params: ScoreParams = ScoreParams()

    def __init__(
        self,
        phrasings: Iterable[tuple[str, str]],
        synonyms: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """phrasings: (entry_id, text) pairs; an entry has several. Builds every index once here."""
        syn = synonym_map(synonyms) if synonyms else {}
        self._index = TextIndex(phrasings, syn, self.index_params)
        self._sorted = [" ".join(sorted(t.split())) for t in self._index.p_text]
        density = self.size / max(1, self._index.n_entries)
        self._calibration = interpolate(self.score_params.calibration, density)

    @property
    def size(self) -> int:
        """Number of (non-empty) phrasings indexed."""
        return len(self._index.p_text)

    def match(self, question: str, limit: int = 5) -> list[Candidate]:
        """Ranked candidates, at most one per entry, best first, scores 0-100.

        [] when the question is empty or shares no meaningful word with the FAQ.
        """
        if limit <= 0 or not isinstance(question, str):
            return []
        q = self._index.query(question)
        if not q.vector:
            return []
        sims = self._phrasing_sims(q)
        if not sims:
            return []
        ranked = self._relevance(q, sims)
        sp = self.score_params
        shortlist = ranked[: max(limit, sp.rerank)]
        lead = ranked[0][0]
        scored = [(self._confidence(q, e, rel, best_tsr, lead), e) for rel, e, best_tsr in shortlist]
        scored.sort(key=lambda x: -x[0])
        ids = self._index.entry_ids
        return [Candidate(ids[e], round(s, 2)) for s, e in scored[:limit]]

    # -- stages ----------------------------------------------------------------

    def _phrasing_sims(self, q: QueryTerms) -> dict[int, list[tuple[float, float]]]:
        """entry -> [(similarity, token_sort_ratio)] for the phrasings most likely to matter.

        Candidates come from the inverted index; each term contributes at most
        `posting_cap` postings (the phrasings where it weighs most), which bounds
        the cost of very common words without losing the phrasings they decide.
        """
        idx, sp = self._index, self.score_params
        acc: dict[int, float] = {}
        get = acc.get
        cap = sp.posting_cap
        for t, v in q.vector.items():
            post = idx.postings.get(t)
            if post:
                for pid, pw in post if len(post) <= cap else islice(post, cap):
                    acc[pid] = get(pid, 0.0) + v * pw
        if not acc:  # a question of stop words only may still be "thank you"
            for t, v in q.vector.items():
                for pid, pw in idx.stop_postings.get(t, ()):
                    acc[pid] = get(pid, 0.0) + v * pw
            if not acc:
                return {}
        n = sp.candidates
        top = heapq.nlargest(n, acc, key=acc.__getitem__) if len(acc) > n else list(acc)
        qvec = list(q.vector.items())
        qnorm = math.sqrt(sum(v * v for _, v in qvec)) or 1.0
        qsorted = " ".join(sorted(q.text.split()))
        ratio = fuzz.ratio
        w_cos = sp.w_cos
        p_vec, p_entry, p_sorted = idx.p_vec, idx.p_entry, self._sorted
        out: dict[int, list[tuple[float, float]]] = {}
        for pid in top:
            get_w = p_vec[pid].get
            cos = sum([v * get_w(t, 0.0) for t, v in qvec]) / qnorm
            tsr = ratio(qsorted, p_sorted[pid]) / 100.0  # == token_sort_ratio, tokens pre-sorted
            sim = w_cos * cos + (1 - w_cos) * tsr
            pairs = out.get(p_entry[pid])
            if pairs is None:
                out[p_entry[pid]] = [(sim, tsr)]
            else:
                pairs.append((sim, tsr))
        return out

    def _relevance(
        self, q: QueryTerms, sims: dict[int, list[tuple[float, float]]]
    ) -> list[tuple[float, int, float]]:
        """(relevance, entry, best token_sort_ratio), most relevant first."""
        idx, sp = self._index, self.score_params
        qvec = list(q.vector.items())
        qnorm = math.sqrt(sum(v * v for _, v in qvec)) or 1.0
        qsum = sum(v for _, v in qvec) or 1.0
        background = sum(v * idx.all_logp.get(t, idx.all_unseen) for t, v in qvec)
        sizes = idx.entry_sizes
        first = []
        for e, pairs in sims.items():
            s = sorted([p[0] for p in pairs], reverse=True)
            k = min(sp.top_k, sizes[e])
            first.append((sum(s[:k]) / k, e, max(p[1] for p in pairs)))
        if len(first) > sp.shortlist:
            first = heapq.nlargest(sp.shortlist, first)
        out = []
        for mean, e, best_tsr in first:
            prof = idx.profiles[e].get
            pcos = sum([v * prof(t, 0.0) for t, v in qvec]) / qnorm
            logp, unseen = idx.entry_logp[e].get, idx.entry_unseen[e]
            lift = (sum([v * logp(t, unseen) for t, v in qvec]) - background) / qsum
            rel = sp.w_mean * mean + sp.w_profile * pcos + sp.w_lift * lift
            out.append((rel, e, best_tsr))
        out.sort(key=lambda x: -x[0])
        return out

    def _features(
        self, q: QueryTerms, e: int, rel: float, best_tsr: float, lead: float
    ) -> list[float]:
        """Inputs of the confidence model; `lead` is the best relevance of any entry."""
        idx, sp = self._index, self.score_params
        lifts = [idx.lift(t, e) for t in q.unigrams]
        if q.unknown_weight:
            lifts.append(math.log(idx.unseen_share))
        min_lift = max(sp.lift_floor, min(lifts)) if lifts else 0.0
        prof = idx.profiles[e]
        uni = [(t, q.vector[t]) for t in set(q.unigrams)]
        total = sum(v for _, v in uni) + q.unknown_weight
        cov = sum(v for t, v in uni if t in prof) / total if total else 0.0
        length = math.log1p(min(q.content_words, sp.length_cap))
        return [rel, best_tsr, min_lift, cov, length, rel - lead]

    def _confidence(self, q: QueryTerms, e: int, rel: float, best_tsr: float, lead: float) -> float:
        """Calibrated 0-100 confidence that entry `e` answers the question."""
        c = self._calibration
        f = self._features(q, e, rel, best_tsr, lead)
        z = c[0] + sum(w * x for w, x in zip(c[1:], f, strict=True))
        return 100.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def interpolate(
    anchors: tuple[tuple[float, tuple[float, ...]], ...], density: float
) -> tuple[float, ...]:
    """Coefficients for `density`, linear in log density between anchors, clamped at the ends."""
    pts = sorted(anchors)
    if density <= pts[0][0]:
        return pts[0][1]
    for (d0, c0), (d1, c1) in zip(pts, pts[1:], strict=False):  # neighbouring pairs: one fewer than pts
        if density <= d1:
            t = (math.log(density) - math.log(d0)) / (math.log(d1) - math.log(d0))
            return tuple(a + t * (b - a) for a, b in zip(c0, c1, strict=True))
    return pts[-1][1]
