"""The pure decision step: ranked candidates -> answer, clarify, escalate, tour or smalltalk.

Kept free of I/O and of the matcher's internals so thresholds can be tuned
and tested on their own (RoboDanny's rule: answer only when the best match is
confident AND clearly ahead of the runner-up).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .models import Action, Candidate, Decision, Entry, EntryKind


@dataclass(frozen=True)
class DecisionSettings:
    """Calibrated on tests/golden/tune.yaml; see README "Recalibrating"."""

    answer_threshold: float = 32.0  # top score needed to act without asking
    clarify_threshold: float = 32.0  # below this nothing is offered: escalate (no band below answering)
    margin: float = 24.0  # top must beat the runner-up entry by this much, else "did you mean"
    max_choices: int = 3  # "did you mean" buttons at most
    max_question_chars: int = 1500  # longer messages go straight to staff

    def __post_init__(self) -> None:
        if not 0 <= self.clarify_threshold <= self.answer_threshold <= 100:
            raise ValueError("thresholds must satisfy 0 <= clarify_threshold <= answer_threshold <= 100")
        if self.margin < 0 or self.max_choices < 1 or self.max_question_chars < 1:
            raise ValueError("margin must be >= 0, max_choices and max_question_chars >= 1")


#: Candidates a too-long message keeps for the staff card: enough to suggest where it
#: belongs without matching on a text too long to trust.
TOO_LONG_CANDIDATES = 3
#: Small talk keeps the top only when it leads the best substantive entry by more than
#: SMALLTALK_LEAD_MARGINS margins plus SMALLTALK_LEAD_POINTS: a greeting that merely
#: brushes a topic ("hi, thanks a lot!"), not a question wrapped in a greeting.
SMALLTALK_LEAD_MARGINS = 2
SMALLTALK_LEAD_POINTS = 10.0

ACTION_FOR_KIND = {
    EntryKind.ANSWER: Action.ANSWER,
    EntryKind.TOUR: Action.TOUR,
    EntryKind.HANDOFF: Action.ESCALATE,
    EntryKind.SMALLTALK: Action.SMALLTALK,
}


def decision_for_entry(
    question: str, entry: Entry, *, reason: str, score: float = 100.0, candidates: tuple[Candidate, ...] = ()
) -> Decision:
    """Act on one entry: the kind-to-action rule, written once (a confident match or a picked choice).

    A hand-off entry always gives reason "handoff", whatever brought the student to it.
    """
    reason = "handoff" if entry.kind is EntryKind.HANDOFF else reason
    return Decision(question, ACTION_FOR_KIND[entry.kind], entry=entry, score=score, candidates=candidates,
                    reason=reason)


def decide(
    question: str,
    candidates: Sequence[Candidate],
    lookup: Callable[[str], Entry],
    settings: DecisionSettings,
) -> Decision:
    """Turn the matcher's ranked candidates into one action."""
    ranked = tuple(candidates)
    if len(question) > settings.max_question_chars:
        return Decision(question, Action.ESCALATE, candidates=ranked[:TOO_LONG_CANDIDATES], reason="too long")
    pool = _drop_smalltalk_noise(ranked, lookup, settings)
    if not pool or pool[0].score < settings.clarify_threshold:
        best = ranked[0].score if ranked else 0.0
        return Decision(question, Action.ESCALATE, score=best, candidates=ranked, reason="no match")

    top = pool[0]
    entry = lookup(top.entry_id)
    runner_up = pool[1].score if len(pool) > 1 else 0.0
    threshold = entry.min_score if entry.min_score is not None else settings.answer_threshold
    if top.score >= threshold and top.score - runner_up >= settings.margin:
        return decision_for_entry(question, entry, reason="confident", score=top.score, candidates=ranked)
    if top.score >= threshold:
        handoff = _close_handoff(pool, lookup, settings)
        if handoff is not None:
            return decision_for_entry(question, lookup(handoff.entry_id), reason="handoff", score=handoff.score,
                                      candidates=ranked)

    choices = tuple(
        lookup(c.entry_id)
        for c in pool[: settings.max_choices]
        if c.score >= settings.clarify_threshold and lookup(c.entry_id).kind is not EntryKind.SMALLTALK
    )
    if not choices:
        return Decision(question, Action.ESCALATE, score=top.score, candidates=ranked, reason="no match")
    return Decision(
        question, Action.CLARIFY, score=top.score, candidates=ranked, choices=choices, reason="close call"
    )


def _close_handoff(
    pool: tuple[Candidate, ...], lookup: Callable[[str], Entry], settings: DecisionSettings
) -> Candidate | None:
    """The best hand-off within the margin of a confident top candidate, if it is confident itself.

    "what's the price of recording arts" may match the program and tuition about
    equally: when a topic only staff answer is in the running, staff it is (the
    safe side), with that hand-off's note rather than a "did you mean".
    """
    top = pool[0].score
    for c in pool:
        if top - c.score >= settings.margin:
            break
        entry = lookup(c.entry_id)
        threshold = entry.min_score if entry.min_score is not None else settings.answer_threshold
        if entry.kind is EntryKind.HANDOFF and c.score >= threshold:
            return c
    return None


def _drop_smalltalk_noise(
    ranked: tuple[Candidate, ...], lookup: Callable[[str], Entry], settings: DecisionSettings
) -> tuple[Candidate, ...]:
    """A greeting wrapped around a real question must not win over the question.

    "hey, do internships pay? thanks" shares words with the greeting and thanks
    entries; when any substantive entry is in play, small talk steps aside.
    """
    substantive = tuple(c for c in ranked if lookup(c.entry_id).kind is not EntryKind.SMALLTALK)
    if substantive and substantive[0].score >= settings.clarify_threshold:
        top_is_smalltalk = ranked and lookup(ranked[0].entry_id).kind is EntryKind.SMALLTALK
        lead = ranked[0].score - substantive[0].score
        if top_is_smalltalk and lead > SMALLTALK_LEAD_MARGINS * settings.margin + SMALLTALK_LEAD_POINTS:
            return ranked  # clearly small talk that merely brushes a topic
        return substantive
    return ranked
