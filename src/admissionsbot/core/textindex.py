"""Prebuilt term statistics and inverted index over FAQ phrasings.

Everything here is computed once when the knowledge base loads, so that each
question only pays for dictionary look-ups over the phrasings that share a
word with it. The matcher (`matcher.py`) turns these statistics into scores.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .normalize import STOP_WORDS, normalize

__all__ = ["IndexParams", "QueryTerms", "TextIndex", "stem"]

_MAX_FUZZY_CACHE = 20_000


def _squeeze(word: str) -> str:
    """Collapse repeated letters: "helloooo" and "hello" both become "helo"."""
    return "".join(ch for i, ch in enumerate(word) if i == 0 or ch != word[i - 1])


def stem(word: str) -> str:
    """Crude suffix stripping so "cards"/"card" and "charged"/"charging" meet.

    It only has to be consistent, not linguistic: both sides go through it.
    Stop words and non-alphabetic tokens are kept as they are.
    """
    w = word
    if len(w) <= 3 or w in STOP_WORDS or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) >= 6:
        w = w[:-3]
    elif w.endswith("ed") and len(w) >= 5:
        w = w[:-2]
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    if w.endswith("e") and len(w) >= 4:
        w = w[:-1]
    if w.endswith("y") and len(w) >= 4:
        w = w[:-1] + "i"
    return w


@dataclass(frozen=True)
class IndexParams:
    """Weighting constants, tuned on a BANKING77 validation split (see benchmarks/)."""

    stop_weight: float = 0.3  # stop words count, but little (dropping them cost ~2 points)
    bigram_weight: float = 0.5  # adjacent-word pairs add word-order evidence
    disc_power: float = 1.0  # how strongly "tells entries apart" scales IDF
    fuzzy_cutoff: float = 85.0  # rapidfuzz ratio for mapping an unknown word to a known one
    fuzzy_min_len: int = 4  # shorter words are too ambiguous to correct
    max_searches: int = 24  # uncached vocabulary searches per question
    nb_alpha: float = 0.3  # additive smoothing of per-entry word counts


@dataclass
class QueryTerms:
    """A question as the index sees it."""

    text: str  # normalised question (for rapidfuzz string scorers)
    vector: dict[str, float]  # known term -> weight (fuzzy matches discounted)
    unigrams: list[str]  # known content unigrams, in order
    unknown_weight: float  # weight of content words the knowledge base has never seen
    content_words: int  # number of non-stop words in the question


class TextIndex:
    """Vocabulary, term weights, per-phrasing vectors, postings and per-entry profiles."""

    def __init__(
        self,
        phrasings: Iterable[tuple[str, str]],
        synonyms: Mapping[str, str],
        params: IndexParams,
    ) -> None:
        self.params = params
        self.synonyms = synonyms
        self.entry_ids: list[str] = []
        self.p_entry: list[int] = []  # phrasing -> entry index
        self.p_text: list[str] = []  # normalised phrasing
        entry_index: dict[str, int] = {}
        p_terms: list[list[str]] = []
        word_counts: Counter[str] = Counter()
        for entry_id, text in phrasings:
            norm = normalize(text, synonyms)
            if not norm:
                continue
            e = entry_index.get(entry_id)
            if e is None:
                e = entry_index[entry_id] = len(self.entry_ids)
                self.entry_ids.append(entry_id)
            toks = norm.split()
            word_counts.update(toks)
            self.p_entry.append(e)
            self.p_text.append(norm)
            p_terms.append(self._terms([stem(t) for t in toks]))
        self.n_entries = len(self.entry_ids)
        self.entry_sizes = Counter(self.p_entry)
        words = set(word_counts)
        self.stems = {stem(w) for w in words}
        self.words = sorted(w for w in words if len(w) >= params.fuzzy_min_len)
        self._fuzzy: dict[str, tuple[str, float] | None] = {}
        self._squeezed: dict[str, str] = {}  # "helo" -> "hello", for stretched letters
        self._anagrams: dict[str, list[str]] = defaultdict(list)  # for swapped letters
        for w in sorted(words, key=lambda w: (-word_counts[w], w)):
            if w.isalpha():
                self._squeezed.setdefault(_squeeze(w), w)
                if len(w) >= params.fuzzy_min_len:
                    self._anagrams["".join(sorted(w))].append(w)
        self._weights(p_terms)
        self._vectors(p_terms)

    # -- build ---------------------------------------------------------------

    def _terms(self, stems: list[str]) -> list[str]:
        """Unigrams plus adjacent pairs (pairs of two stop words carry nothing)."""
        out = list(stems)
        if self.params.bigram_weight > 0:
            out.extend(
                f"{a} {b}"
                for a, b in zip(stems, stems[1:], strict=False)  # adjacent pairs: one fewer than stems
                if a not in STOP_WORDS or b not in STOP_WORDS
            )
        return out

    def _weights(self, p_terms: list[list[str]]) -> None:
        """IDF times a discriminative factor (1 for a word used by one entry only,
        towards 0 for a word spread evenly over all entries), plus smoothed
        per-entry log-probabilities for the naive-Bayes style `lift`."""
        prm = self.params
        n = len(p_terms)
        by_entry: dict[str, Counter[int]] = defaultdict(Counter)
        entry_counts: list[Counter[str]] = [Counter() for _ in self.entry_ids]
        for pid, terms in enumerate(p_terms):
            e = self.p_entry[pid]
            entry_counts[e].update(terms)
            for t in set(terms):
                by_entry[t][e] += 1
        term_total: Counter[str] = Counter()
        for counts in entry_counts:
            term_total.update(counts)
        a, v = prm.nb_alpha, len(term_total)
        self.entry_logp: list[dict[str, float]] = []
        self.entry_unseen: list[float] = []
        for counts in entry_counts:
            denom = math.log(sum(counts.values()) + a * v)
            self.entry_logp.append({t: math.log(c + a) - denom for t, c in counts.items()})
            self.entry_unseen.append(math.log(a) - denom)
        denom = math.log(sum(term_total.values()) + a * v or 1.0)  # 1.0: empty knowledge base
        self.all_logp = {t: math.log(c + a) - denom for t, c in term_total.items()}
        self.all_unseen = math.log(a) - denom

        log_e = math.log(self.n_entries) if self.n_entries > 1 else 1.0
        self.weight: dict[str, float] = {}
        for t, per_entry in by_entry.items():
            df = sum(per_entry.values())
            idf = math.log((n + 1) / (df + 0.5))
            h = -sum(c / df * math.log(c / df) for c in per_entry.values())
            disc = 1.0 - h / log_e if self.n_entries > 1 else 1.0
            w = idf * (0.1 + disc) ** prm.disc_power
            if " " in t:
                w *= prm.bigram_weight
            elif t in STOP_WORDS:
                w *= prm.stop_weight
            self.weight[t] = w
        # Good-Turing: the share of content-word occurrences that are a word's only
        # occurrence estimates how often an in-scope question uses an unseen word.
        # Small FAQs see new words all the time (~0.3), BANKING77 rarely (~0.02), so an
        # unknown word weighs its surprisal, -log of that share, not a fixed amount.
        content = [c for t, c in term_total.items() if " " not in t and t not in STOP_WORDS]
        singles = sum(1 for c in content if c == 1)
        self.unseen_share = max(1e-3, min(0.5, singles / sum(content))) if content else 0.5
        self.unknown_word_weight = -math.log(self.unseen_share)

    def _vectors(self, p_terms: list[list[str]]) -> None:
        """Unit-length phrasing vectors, content-term postings and pooled entry profiles."""
        self.p_vec: list[dict[str, float]] = []
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.stop_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        profiles: list[dict[str, float]] = [defaultdict(float) for _ in self.entry_ids]
        for pid, terms in enumerate(p_terms):
            vec: dict[str, float] = {}
            for t in terms:
                vec[t] = vec.get(t, 0.0) + self.weight[t]
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            vec = {t: v / norm for t, v in vec.items()}
            self.p_vec.append(vec)
            profile = profiles[self.p_entry[pid]]
            content = [t for t in vec if t not in STOP_WORDS]
            for t, v in vec.items():
                profile[t] += v
            # phrasings made only of stop words ("thank you", "hi") stay reachable
            target = self.postings if content else self.stop_postings
            for t in content or vec:
                target[t].append((pid, vec[t]))
        self.profiles: list[dict[str, float]] = []
        for prof in profiles:
            norm = math.sqrt(sum(v * v for v in prof.values())) or 1.0
            self.profiles.append({t: v / norm for t, v in prof.items()})
        for post in self.postings.values():  # impact order: where the term weighs most first
            post.sort(key=lambda x: -x[1])
        self.postings = dict(self.postings)
        self.stop_postings = dict(self.stop_postings)

    # -- query ---------------------------------------------------------------

    def correct(self, word: str) -> tuple[str, float] | None:
        """(stem, confidence) of the known word an unknown `word` most likely means, cached.

        Tried in order: stretched letters ("helloooo", "hii"), a rapidfuzz ratio
        of at least `fuzzy_cutoff` ("internshps"), and for short words a swap
        of two adjacent letters ("tuor"), which ratio scores too low.
        """
        if word in self._fuzzy:
            return self._fuzzy[word]
        hit: tuple[str, float] | None = None
        known = self._squeezed.get(_squeeze(word))
        if known is not None:
            hit = (stem(known), 0.95)
        elif len(word) >= self.params.fuzzy_min_len:
            best = process.extractOne(
                word, self.words, scorer=fuzz.ratio, score_cutoff=self.params.fuzzy_cutoff
            )
            if best is not None:
                hit = (stem(best[0]), best[1] / 100.0)
            else:
                for other in self._anagrams.get("".join(sorted(word)), ()):
                    if OSA.distance(word, other, score_cutoff=1) <= 1:
                        hit = (stem(other), 0.8)
                        break
        if len(self._fuzzy) >= _MAX_FUZZY_CACHE:
            self._fuzzy.clear()
        self._fuzzy[word] = hit
        return hit

    def query(self, text: str) -> QueryTerms:
        """Normalise, stem and typo-correct a question into weighted terms."""
        norm = normalize(text, self.synonyms)
        stems: list[str] = []
        confidence: dict[str, float] = {}
        unknown = 0.0
        content = 0
        searches = self.params.max_searches  # bounds the cost of a wall of made-up words
        for word in norm.split():
            s = stem(word)
            if word not in STOP_WORDS:
                content += 1
                if s not in self.stems:
                    if word in self._fuzzy or searches > 0:
                        searches -= word not in self._fuzzy
                        hit = self.correct(word)
                    else:
                        hit = None
                    if hit is None:
                        unknown += self.unknown_word_weight
                    else:
                        s, conf = hit
                        confidence[s] = min(confidence.get(s, 1.0), conf)
            stems.append(s)
        vector: dict[str, float] = {}
        for t in self._terms(stems):
            w = self.weight.get(t)
            if w is not None:
                vector[t] = vector.get(t, 0.0) + w * confidence.get(t, 1.0)
        unigrams = [s for s in stems if s in self.weight and s not in STOP_WORDS]
        return QueryTerms(norm, vector, unigrams, unknown, content)

    def lift(self, term: str, entry: int) -> float:
        """Smoothed log P(term | entry) / P(term): how much `term` points at this entry."""
        logp = self.entry_logp[entry].get(term, self.entry_unseen[entry])
        return logp - self.all_logp.get(term, self.all_unseen)
