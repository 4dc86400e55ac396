"""Prebuilt term statistics, inverted index and entry scorer over FAQ phrasings.

Everything here is computed once when the knowledge base loads (`build_index`)
and then never changes: `TextIndex` is a frozen dataclass whose fields are the
whole data the matcher reads, so each question only pays for dictionary
look-ups over the phrasings that share a word with it. The matcher
(`matcher.py`) turns these statistics into scores.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .entryscores import EntryScorer, ScorerParams, train_entry_scorer
from .normalize import STOP_WORDS, normalize
from .spelling import Speller

__all__ = ["IndexParams", "QueryTerms", "TextIndex", "build_index", "stem"]

KEEP_DOUBLED = "lsz"  # "ball", "pass", "jazz" keep their double letter; "runn(ing)" -> "run"
DISC_FLOOR = 0.1  # a word spread evenly over every entry still weighs a tenth of its IDF
IDF_SMOOTHING = 0.5  # added to a term's phrasing count: a word in every phrasing keeps a small weight
UNSEEN_SHARE_RANGE = (1e-3, 0.5)  # clamp of the estimated chance that a question word is new


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
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in KEEP_DOUBLED:
        w = w[:-1]
    if w.endswith("e") and len(w) >= 4:
        w = w[:-1]
    if w.endswith("y") and len(w) >= 4:
        w = w[:-1] + "i"
    return w


@dataclass(frozen=True)
class IndexParams:
    """Build-time constants, tuned on a BANKING77 validation split (see benchmarks/)."""

    stop_weight: float = 0.3  # stop words count, but little (dropping them cost ~2 points)
    bigram_weight: float = 0.5  # adjacent-word pairs add word-order evidence; 0 turns them off
    fuzzy_cutoff: float = 85.0  # rapidfuzz ratio for mapping an unknown word to a known one
    fuzzy_min_len: int = 4  # shorter words are too ambiguous to correct
    max_searches: int | None = 24  # cap: uncached vocabulary searches per question (None: no cap)
    nb_alpha: float = 0.3  # additive smoothing of per-entry word counts
    scorer: ScorerParams = field(default_factory=ScorerParams)


@dataclass(frozen=True)
class QueryTerms:
    """A question as the index sees it."""

    text: str  # normalised question (for rapidfuzz string scorers)
    words: tuple[str, ...]  # its words, typos corrected (for the character n-grams of the entry scorer)
    terms: tuple[str, ...]  # stems after typo correction, and adjacent pairs
    vector: dict[str, float]  # known term -> weight (fuzzy matches discounted)
    unigrams: tuple[str, ...]  # known content unigrams, in order
    unknown_weight: float  # weight of content words the knowledge base has never seen
    content_words: int  # number of non-stop words in the question


@dataclass(frozen=True, eq=False)
class TextIndex:
    """Vocabulary, term weights, per-phrasing vectors, postings and entry statistics.

    Built by `build_index`; read-only afterwards (the speller's cache of
    corrections is its only moving part).
    """

    params: IndexParams
    synonyms: Mapping[str, str]
    entry_ids: tuple[str, ...]
    p_entry: tuple[int, ...]  # phrasing -> entry number
    p_text: tuple[str, ...]  # normalised phrasing
    p_sorted: tuple[str, ...]  # its words sorted: rapidfuzz ratio on these is token_sort_ratio
    entry_sizes: tuple[int, ...]  # phrasings per entry
    stems: frozenset[str]  # every stem of the phrasings (a question word outside it is unknown)
    weight: Mapping[str, float]  # term -> IDF x how well it tells entries apart
    # content term -> (phrasing, its weight in the phrasing's unit-length term vector), heaviest first
    postings: Mapping[str, list[tuple[int, float]]]
    stop_postings: Mapping[str, list[tuple[int, float]]]  # for phrasings made of stop words only
    entry_logp: tuple[Mapping[str, float], ...]  # smoothed log P(term | entry)
    entry_unseen: tuple[float, ...]  # log P(term | entry) of a term the entry never uses
    all_logp: Mapping[str, float]  # smoothed log P(term) over the whole knowledge base
    all_unseen: float
    unseen_share: float  # estimated chance that an in-scope question word is new to the index
    unknown_word_weight: float  # weight of such a word: its surprisal, -log(unseen_share)
    speller: Speller
    scorer: EntryScorer | None  # per-entry weights over character n-grams (None: disabled or one entry)

    @property
    def n_entries(self) -> int:
        return len(self.entry_ids)

    def query(self, text: str) -> QueryTerms:
        """Normalise, stem and typo-correct a question into weighted terms."""
        norm = normalize(text, self.synonyms)
        words = norm.split()  # then each typo replaced by the word it was taken for
        stems: list[str] = []
        confidence: dict[str, float] = {}
        unknown = 0.0
        content = 0
        searches = self.params.max_searches  # bounds the cost of a wall of made-up words
        speller = self.speller
        for i, word in enumerate(words):
            s = stem(word)
            if word not in STOP_WORDS:
                content += 1
                if s not in self.stems:
                    hit = None
                    if searches is None or searches > 0 or speller.cached(word):
                        if searches is not None and not speller.cached(word):
                            searches -= 1
                        hit = speller.correct(word)
                    if hit is None:
                        unknown += self.unknown_word_weight
                    else:
                        words[i], conf = hit
                        s = stem(words[i])
                        confidence[s] = min(confidence.get(s, 1.0), conf)
            stems.append(s)
        terms = _terms(stems, self.params.bigram_weight)
        vector: dict[str, float] = {}
        for t in terms:
            w = self.weight.get(t)
            if w is not None:
                vector[t] = vector.get(t, 0.0) + w * confidence.get(t, 1.0)
        unigrams = tuple(s for s in stems if s in self.weight and s not in STOP_WORDS)
        return QueryTerms(norm, tuple(words), tuple(terms), vector, unigrams, unknown, content)

    def lift(self, term: str, entry: int) -> float:
        """Smoothed log P(term | entry) / P(term): how much `term` points at this entry."""
        logp = self.entry_logp[entry].get(term, self.entry_unseen[entry])
        return logp - self.all_logp.get(term, self.all_unseen)

    def entry_scores(self, q: QueryTerms) -> list[float] | None:
        """The entry scorer's score of every entry for the question (None: no scorer or no known n-gram)."""
        return None if self.scorer is None else self.scorer.scores(q.words, q.terms)


def _terms(stems: list[str], bigram_weight: float) -> list[str]:
    """Unigrams plus adjacent pairs (pairs of two stop words carry nothing)."""
    out = list(stems)
    if bigram_weight > 0:
        out.extend(
            f"{a} {b}"
            for a, b in zip(stems, stems[1:], strict=False)  # adjacent pairs: one fewer than stems
            if a not in STOP_WORDS or b not in STOP_WORDS
        )
    return out


def build_index(phrasings: Iterable[tuple[str, str]], synonyms: Mapping[str, str], params: IndexParams) -> TextIndex:
    """Normalise every (entry id, text) phrasing once and compute everything a question needs."""
    entry_ids: list[str] = []
    entry_index: dict[str, int] = {}
    p_entry: list[int] = []
    p_text: list[str] = []
    p_words: list[list[str]] = []
    p_terms: list[list[str]] = []
    word_counts: Counter[str] = Counter()
    stem_of: dict[str, str] = {}
    for entry_id, text in phrasings:
        norm = normalize(text, synonyms)
        if not norm:
            continue
        e = entry_index.get(entry_id)
        if e is None:
            e = entry_index[entry_id] = len(entry_ids)
            entry_ids.append(entry_id)
        toks = norm.split()
        word_counts.update(toks)
        p_entry.append(e)
        p_text.append(norm)
        p_words.append(toks)
        stems = []
        for t in toks:
            s = stem_of.get(t)
            if s is None:
                s = stem_of[t] = stem(t)
            stems.append(s)
        p_terms.append(_terms(stems, params.bigram_weight))
    n_entries = len(entry_ids)
    sizes = Counter(p_entry)
    weight, nb = _weights(p_terms, p_entry, n_entries, params)
    postings, stop_postings = _postings(p_terms, weight)
    return TextIndex(
        params=params,
        synonyms=synonyms,
        entry_ids=tuple(entry_ids),
        p_entry=tuple(p_entry),
        p_text=tuple(p_text),
        p_sorted=tuple(" ".join(sorted(toks)) for toks in p_words),
        entry_sizes=tuple(sizes[e] for e in range(n_entries)),
        stems=frozenset(stem_of.values()),
        weight=weight,
        postings=postings,
        stop_postings=stop_postings,
        speller=Speller(word_counts, params.fuzzy_min_len, params.fuzzy_cutoff),
        scorer=train_entry_scorer(p_words, p_terms, p_entry, n_entries, params.scorer),
        **nb,
    )


def _weights(
    p_terms: list[list[str]], p_entry: list[int], n_entries: int, prm: IndexParams
) -> tuple[dict[str, float], dict]:
    """IDF times a discriminative factor (1 for a word used by one entry only,
    towards DISC_FLOOR for a word spread evenly over all entries), plus smoothed
    per-entry log-probabilities for the naive-Bayes style `lift`."""
    n = len(p_terms)
    by_entry: dict[str, Counter[int]] = defaultdict(Counter)
    entry_counts: list[Counter[str]] = [Counter() for _ in range(n_entries)]
    for pid, terms in enumerate(p_terms):
        e = p_entry[pid]
        entry_counts[e].update(terms)
        for t in set(terms):
            by_entry[t][e] += 1
    term_total: Counter[str] = Counter()
    for counts in entry_counts:
        term_total.update(counts)
    a, v = prm.nb_alpha, len(term_total)
    entry_logp: list[dict[str, float]] = []
    entry_unseen: list[float] = []
    for counts in entry_counts:
        denom = math.log(sum(counts.values()) + a * v)
        entry_logp.append({t: math.log(c + a) - denom for t, c in counts.items()})
        entry_unseen.append(math.log(a) - denom)
    denom = math.log(sum(term_total.values()) + a * v or 1.0)  # 1.0: empty knowledge base

    log_e = math.log(n_entries) if n_entries > 1 else 1.0
    weight: dict[str, float] = {}
    for t, per_entry in by_entry.items():
        df = sum(per_entry.values())
        idf = math.log((n + 1) / (df + IDF_SMOOTHING))
        h = -sum(c / df * math.log(c / df) for c in per_entry.values())
        disc = 1.0 - h / log_e if n_entries > 1 else 1.0
        w = idf * (DISC_FLOOR + disc)
        if " " in t:
            w *= prm.bigram_weight
        elif t in STOP_WORDS:
            w *= prm.stop_weight
        weight[t] = w
    # Good-Turing: the share of content-word occurrences that are a word's only
    # occurrence estimates how often an in-scope question uses an unseen word.
    # Small FAQs see new words all the time (~0.3), BANKING77 rarely (~0.02), so an
    # unknown word weighs its surprisal, -log of that share, not a fixed amount.
    content = [c for t, c in term_total.items() if " " not in t and t not in STOP_WORDS]
    singles = sum(1 for c in content if c == 1)
    lo, hi = UNSEEN_SHARE_RANGE
    unseen_share = max(lo, min(hi, singles / sum(content))) if content else hi
    nb = {
        "entry_logp": tuple(entry_logp),
        "entry_unseen": tuple(entry_unseen),
        "all_logp": {t: math.log(c + a) - denom for t, c in term_total.items()},
        "all_unseen": math.log(a) - denom,
        "unseen_share": unseen_share,
        "unknown_word_weight": -math.log(unseen_share),
    }
    return weight, nb


def _postings(
    p_terms: list[list[str]], weight: dict[str, float]
) -> tuple[dict[str, list[tuple[int, float]]], dict[str, list[tuple[int, float]]]]:
    """Content-term postings over unit-length phrasing vectors (impact-ordered), and stop-word
    postings for the phrasings that have no content word ("thank you", "hi")."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    stop_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for pid, terms in enumerate(p_terms):
        vec: dict[str, float] = {}
        for t in terms:
            vec[t] = vec.get(t, 0.0) + weight[t]
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        content = [t for t in vec if t not in STOP_WORDS]
        target = postings if content else stop_postings
        for t in content or vec:
            target[t].append((pid, vec[t] / norm))
    for post in postings.values():  # impact order: where the term weighs most first
        post.sort(key=lambda x: -x[1])
    return dict(postings), dict(stop_postings)
