"""The answering side: knowledge + matcher + decide -> Decision. No database.

`ask` is the one path from a student's text to a decision: the bot, `admissionsbot
ask`, `admissionsbot eval` and the golden tests all go through it (eval splits it
into `rank` + `decide_ranked` only so thresholds can be varied without
re-matching; both halves are the ones `ask` runs).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .decide import DecisionSettings, decide, decision_for_entry
from .errors import InvalidInput
from .knowledge import KnowledgeBase
from .matcher import Matcher
from .models import Candidate, Decision, Entry, EntryKind
from .normalize import normalize
from .textcheck import clean_text

NOTHING_TO_MATCH = "I couldn't find a question in that. Could you type it in words?"
#: Candidates ranked per question: enough for the "did you mean" choices plus the
#: runner-ups that "not what I asked" offers instead.
EXTRA_CANDIDATES = 2
MIN_CANDIDATES = 5


@dataclass(frozen=True)
class Ranked:
    """A cleaned question and its ranked candidates (empty when too long to match on)."""

    question: str
    candidates: tuple[Candidate, ...]


class Answerer:
    """Owns the knowledge base and its matcher; `reload` swaps both atomically."""

    def __init__(self, knowledge: KnowledgeBase, settings: DecisionSettings | None = None) -> None:
        self.settings = settings or DecisionSettings()
        self._lock = threading.Lock()
        self._state = (knowledge, Matcher(knowledge.phrasings(), knowledge.synonyms, vectors=knowledge.vectors))

    @property
    def knowledge(self) -> KnowledgeBase:
        return self._state[0]

    @property
    def matcher(self) -> Matcher:
        """The matcher built from the current knowledge base (its word-vector table included)."""
        return self._state[1]

    def reload(self, knowledge: KnowledgeBase) -> None:
        """Swap in a new, already validated knowledge base (one atomic assignment)."""
        matcher = Matcher(knowledge.phrasings(), knowledge.synonyms, vectors=knowledge.vectors)
        with self._lock:
            self._state = (knowledge, matcher)

    def entry(self, entry_id: str) -> Entry | None:
        """The entry, or None when the FAQ (perhaps reloaded since) has no such id."""
        knowledge = self.knowledge
        return knowledge.entry(entry_id) if knowledge.has(entry_id) else None

    # -- asking ------------------------------------------------------------------------
    def ask(self, text: str) -> Decision:
        """Decide what to do with one question; raises InvalidInput when there is nothing to match."""
        return self.decide_ranked(self.rank(text))

    def rank(self, text: str) -> Ranked:
        """Clean the text and rank the FAQ for it (the matching half of `ask`)."""
        question = clean_text(text)
        if not normalize(question):
            raise InvalidInput(NOTHING_TO_MATCH)
        if len(question) > self.settings.max_question_chars:
            return Ranked(question, ())
        limit = max(MIN_CANDIDATES, self.settings.max_choices + EXTRA_CANDIDATES)
        return Ranked(question, tuple(self._state[1].match(question, limit=limit)))

    def decide_ranked(self, ranked: Ranked, settings: DecisionSettings | None = None) -> Decision:
        """The deciding half of `ask`; `settings` overrides the thresholds (eval's grid search)."""
        return decide(ranked.question, ranked.candidates, self.knowledge.entry, settings or self.settings)

    def choose(self, question: str, entry_id: str) -> Decision | None:
        """The student picked a "did you mean" choice: act on that entry as if it matched."""
        entry = self.entry(entry_id)
        if entry is None:
            return None
        return decision_for_entry(clean_text(question), entry, reason="chosen")

    def alternatives(self, question: str, shown: str | None, limit: int = 3) -> tuple[Entry, ...]:
        """Other answerable candidates for "not what I asked" (never the one already shown)."""
        try:
            ranked = self.rank(question)
        except InvalidInput:
            return ()
        out: list[Entry] = []
        for c in ranked.candidates:
            entry = self.entry(c.entry_id)
            if entry is None or c.entry_id == shown or entry.kind is EntryKind.SMALLTALK:
                continue
            if c.score < self.settings.clarify_threshold:
                continue
            out.append(entry)
            if len(out) == limit:
                break
        return tuple(out)

    def candidates_for(self, question: str) -> tuple[Candidate, ...]:
        """Ranked candidates for a staff card (best effort: none when there is nothing to match)."""
        try:
            return self.rank(question).candidates
        except InvalidInput:
            return ()
