"""Typo correction against the knowledge base's own vocabulary.

Students type "internshps", "tuor" and "helloooo"; the word index only knows the
FAQ's words. An unknown word is mapped to the known word it most likely means,
with a confidence that discounts its weight in the question.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

__all__ = ["Speller", "squeeze"]

STRETCHED_CONFIDENCE = 0.95  # "helloooo" -> "hello": almost surely meant, but not typed as such
SWAPPED_CONFIDENCE = 0.8  # "tuor" -> "tour": two adjacent letters swapped in a short word
MAX_CACHE = 20_000  # corrections remembered; cleared when full (questions bring new words forever)


def squeeze(word: str) -> str:
    """Collapse repeated letters: "helloooo" and "hello" both become "helo"."""
    return "".join(ch for i, ch in enumerate(word) if i == 0 or ch != word[i - 1])


class Speller:
    """Maps unknown words to known words; the only mutable part of the index is its cache."""

    def __init__(self, word_counts: Mapping[str, int], min_len: int, cutoff: float) -> None:
        """word_counts: every word of the phrasings and how often it occurs (frequent words win ties)."""
        self._min_len = min_len
        self._cutoff = cutoff
        self._words = sorted(w for w in word_counts if len(w) >= min_len)
        self._squeezed: dict[str, str] = {}  # "helo" -> "hello", for stretched letters
        self._anagrams: dict[str, list[str]] = defaultdict(list)  # sorted letters -> words, for swaps
        for w in sorted(word_counts, key=lambda w: (-word_counts[w], w)):
            if w.isalpha():
                self._squeezed.setdefault(squeeze(w), w)
                if len(w) >= min_len:
                    self._anagrams["".join(sorted(w))].append(w)
        self._cache: dict[str, tuple[str, float] | None] = {}

    def cached(self, word: str) -> bool:
        """Whether `correct(word)` is free (already answered)."""
        return word in self._cache

    def correct(self, word: str) -> tuple[str, float] | None:
        """(known word, confidence) for the word an unknown `word` most likely means, cached.

        Tried in order: stretched letters ("helloooo", "hii"), a rapidfuzz ratio
        of at least `cutoff` ("internshps"), and for short words a swap of two
        adjacent letters ("tuor"), which ratio scores too low.
        """
        if word in self._cache:
            return self._cache[word]
        hit: tuple[str, float] | None = None
        known = self._squeezed.get(squeeze(word))
        if known is not None:
            hit = (known, STRETCHED_CONFIDENCE)
        elif len(word) >= self._min_len:
            best = process.extractOne(word, self._words, scorer=fuzz.ratio, score_cutoff=self._cutoff)
            if best is not None:
                hit = (best[0], best[1] / 100.0)
            else:
                for other in self._anagrams.get("".join(sorted(word)), ()):
                    if OSA.distance(word, other, score_cutoff=1) <= 1:
                        hit = (other, SWAPPED_CONFIDENCE)
                        break
        if len(self._cache) >= MAX_CACHE:
            self._cache.clear()
        self._cache[word] = hit
        return hit
