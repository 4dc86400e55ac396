"""The gaps: questions that reached staff (or nearly did), grouped by topic, biggest group first. Pure.

A gap question is one the FAQ could not answer: a ticket filed because of no
match, "None of these" under "did you mean", or "Not what I asked"; and, from
the recorded turns, a question the bot offered to pass on (accepted or not), a
"did you mean" nobody picked and an answer marked "not what I asked". One
student asking the same thing twice (offered, then filed) counts once.

Grouping is rapidfuzz over normalised text, at the level of words: two
questions are alike by a weighted Dice overlap of their content words (stop
words dropped), where words match when equal, one is a prefix of the other
("park"/"parking") or rapidfuzz `ratio` >= 85 (typos, among questions that
already share a word or its first four letters: that index keeps it fast), and a word weighs its
IDF over the FAQ's entries: a word every entry uses ("school", "program") ties
questions together less than "parking" or "laptop". A question joins the group
holding its most similar question if that scores at least GROUP_SIMILARITY,
else it starts a group. Character-level scorers (`token_sort_ratio`) were
tried on a hand-labelled set and kept paraphrases apart (30-70) about as often
as they joined different topics (up to 67).

A group whose question the FAQ now answers (learned since) is left out and
counted: the list is what to write next.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from rapidfuzz import fuzz

from .answering import Answerer
from .errors import InvalidInput
from .models import Action, FiledReason, TicketKind
from .normalize import STOP_WORDS, normalize
from .records import TicketFacts, Turn, TurnKind, TurnOutcome

GROUP_SIMILARITY = 45.0  # chosen on a hand-labelled set of 25 questions in 7 topics: no topic mixed
TYPO_RATIO = 85.0
SHAPES = 32  # distinct wordings a group is compared by
PREFIX = 4  # words of at least this many letters match when one begins the other ("park", "parking")
GAP_REASONS = (FiledReason.NO_MATCH, FiledReason.NONE_OF_THESE, FiledReason.REJECTED_ANSWER)
#: The question text "Talk to admissions" stores when there was none (core/conversation.py).
NO_QUESTION_PREFIX = "(The student asked"


@dataclass(frozen=True)
class GapQuestion:
    text: str
    why: str  # "no match", "none of these", "not what I asked", "did you mean: nobody picked"
    at: datetime
    ticket: int | None = None
    answered: bool = False  # staff replied on that ticket


@dataclass(frozen=True)
class Closest:
    """The FAQ's best entry for a question now; `covered`: the FAQ answers it now (it is no gap any more)."""

    entry_id: str | None
    score: float
    covered: bool = False


@dataclass(frozen=True)
class GapGroup:
    questions: tuple[GapQuestion, ...]
    closest: Closest

    @property
    def count(self) -> int:
        return len(self.questions)

    def examples(self, limit: int = 3) -> list[str]:
        """The most asked wordings first (distinct after normalising)."""
        counts = Counter(q.text for q in self.questions)
        out: list[str] = []
        seen: set[str] = set()
        for text, _ in counts.most_common():
            key = normalize(text)
            if key not in seen:
                seen.add(key)
                out.append(text)
            if len(out) == limit:
                break
        return out

    @property
    def answered_tickets(self) -> list[int]:
        """Tickets of this group staff already replied to: `faq learn N` turns one into FAQ knowledge."""
        return sorted({q.ticket for q in self.questions if q.ticket is not None and q.answered})


@dataclass(frozen=True)
class Gaps:
    groups: tuple[GapGroup, ...]
    covered: int  # gap questions the FAQ answers now
    without_text: int  # turns recorded without their text (record_question_text off): not grouped


def gap_questions(tickets: Sequence[TicketFacts], turns: Sequence[Turn]) -> tuple[list[GapQuestion], int]:
    """The gap questions of a period, one per student and wording; and how many turns had no text."""
    out: list[GapQuestion] = []
    seen: set[tuple[str, str, str]] = set()

    def add(platform: str, asker: str, question: GapQuestion) -> None:
        key = (platform, asker, normalize(question.text))
        if key[2] and key not in seen:
            seen.add(key)
            out.append(question)

    for f in tickets:
        if f.kind is TicketKind.QUESTION and f.reason in GAP_REASONS and not f.question.startswith(NO_QUESTION_PREFIX):
            assert f.reason is not None
            add(f.platform, f.asker_id, GapQuestion(f.question, f.reason.value, f.created_at, f.number, f.replies > 0))
    picked = {(t.platform, t.asker_id, normalize(t.question)) for t in turns if t.kind is TurnKind.PICK and t.question}
    without_text = 0
    for t in turns:
        why = _why(t)
        if why is None:
            continue
        if t.question is None:
            without_text += 1
            continue
        if why == "did you mean: nobody picked" and (t.platform, t.asker_id, normalize(t.question)) in picked:
            continue
        add(t.platform, t.asker_id, GapQuestion(t.question, why, t.at))
    return out, without_text


def _why(turn: Turn) -> str | None:
    if turn.kind is TurnKind.NOT_WHAT_I_ASKED:
        return FiledReason.REJECTED_ANSWER.value
    if turn.outcome is TurnOutcome.OFFERED:
        return FiledReason.NO_MATCH.value
    if turn.kind is TurnKind.QUESTION and turn.outcome is TurnOutcome.CLARIFIED:
        return "did you mean: nobody picked"
    return None


class Similarity:
    """The word-overlap similarity of two questions (0-100), weighted by IDF over FAQ entries."""

    def __init__(self, entry_texts: Iterable[Iterable[str]] = (), synonyms: Mapping[str, str] | None = None) -> None:
        self.synonyms = synonyms
        df: Counter[str] = Counter()
        entries = 0
        for texts in entry_texts:
            entries += 1
            df.update({w for text in texts for w in normalize(text, synonyms).split()})
        self._df, self._n = df, entries
        self._weight = lru_cache(maxsize=4096)(self._idf)

    def words(self, text: str) -> frozenset[str]:
        words = normalize(text, self.synonyms).split()
        return frozenset(w for w in words if w not in STOP_WORDS) or frozenset(words)

    def _idf(self, word: str) -> float:
        found = self._df.get(word) or max((n for w, n in self._df.items() if _same(w, word)), default=0)
        return math.log((self._n + 1) / (found + 1)) + 1.0

    def __call__(self, a: frozenset[str], b: frozenset[str]) -> float:
        matched = sum(self._weight(w) for w in a if any(_same(w, x) for x in b))
        matched += sum(self._weight(w) for w in b if any(_same(w, x) for x in a))
        total = sum(self._weight(w) for w in a) + sum(self._weight(w) for w in b)
        return 100.0 * matched / total if total else 0.0


@lru_cache(maxsize=65536)
def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) >= PREFIX and (a.startswith(b) or b.startswith(a)):
        return True
    return fuzz.ratio(a, b) >= TYPO_RATIO


def group_gaps(questions: Sequence[GapQuestion], similarity: Similarity, assess: Callable[[str], Closest],
               *, without_text: int = 0, threshold: float = GROUP_SIMILARITY) -> Gaps:
    """Group alike questions (oldest first decides the order of joining); biggest group first.

    A question is compared only with the groups that share one of its index keys (a word, or the
    first PREFIX letters of a longer one: the prefix rule of `_same` always shares them), and with
    each group's first SHAPES distinct word sets (a big group is known by its first wordings), so
    5,000 questions group in about three seconds.
    """
    members: list[list[GapQuestion]] = []
    shapes: list[set[frozenset[str]]] = []  # the first SHAPES distinct word sets of each group
    exact: dict[frozenset[str], int] = {}  # a word set seen before -> its group
    postings: dict[str, set[int]] = {}  # index key -> the groups holding it
    for question in sorted(questions, key=lambda q: q.at):
        words = similarity.words(question.text)
        keys = _keys(words)
        best = exact.get(words)
        if best is None:
            best_score = threshold
            for g in sorted({g for key in keys for g in postings.get(key, ())}):
                score = max(similarity(words, other) for other in shapes[g])
                if score >= best_score:
                    best, best_score = g, score
        if best is None:
            best = len(members)
            members.append([])
            shapes.append(set())
        members[best].append(question)
        if len(shapes[best]) < SHAPES:
            shapes[best].add(words)
        exact.setdefault(words, best)
        for key in keys:
            postings.setdefault(key, set()).add(best)
    kept: list[GapGroup] = []
    covered = 0
    for found in members:
        group = GapGroup(tuple(found), Closest(None, 0.0))
        closest = assess(group.examples(1)[0])
        if closest.covered:
            covered += group.count
            continue
        kept.append(GapGroup(group.questions, closest))
    kept.sort(key=lambda g: (-g.count, g.questions[0].at))
    return Gaps(tuple(kept), covered, without_text)


def _keys(words: frozenset[str]) -> set[str]:
    return {w for w in words} | {w[:PREFIX] for w in words if len(w) >= PREFIX}


def assessor(answerer: Answerer) -> Callable[[str], Closest]:
    """`assess` with the FAQ in use: the top candidate, and whether the bot acts on it now."""

    def assess(text: str) -> Closest:
        try:
            decision = answerer.ask(text)
        except InvalidInput:  # nothing to match on
            return Closest(None, 0.0)
        top = decision.candidates[0] if decision.candidates else None
        entry_id, score = (top.entry_id, top.score) if top else (None, 0.0)
        if decision.entry is not None and decision.action is not Action.ESCALATE:
            entry_id, score = decision.entry.id, decision.score
        covered = decision.action in (Action.ANSWER, Action.TOUR, Action.SMALLTALK) or decision.reason == "handoff"
        return Closest(entry_id, score, covered)

    return assess
