"""Measure the matcher + decision on labelled questions, and suggest thresholds.

The bot's worth is how often it answers right, how rarely it answers wrong,
and whether it hands to staff what it cannot answer: these metrics say so in
numbers, on a file of `{question, expect}` cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from itertools import product
from pathlib import Path

from . import safe_yaml
from .answering import Answerer, Ranked
from .decide import ACTION_FOR_KIND, DecisionSettings
from .errors import AdmissionsError, InvalidInput
from .knowledge import KnowledgeBase
from .models import Action, Decision, EntryKind

OUTCOMES = ("escalate", "tour", "smalltalk")
#: A wrong answer costs this many right ones when suggesting thresholds:
#: a student misled at 11 pm is worse than one who waits for staff.
WRONG_ANSWER_COST = 3.0


@dataclass(frozen=True)
class Case:
    question: str
    expect: str  # an entry id, or one of OUTCOMES


@dataclass(frozen=True)
class Miss:
    question: str
    expect: str
    got: str
    score: float
    candidates: list[tuple[str, float]]


@dataclass
class Report:
    total: int = 0
    answerable: int = 0
    correct_answers: int = 0
    wrong_answers: int = 0  # answered with the wrong entry, or answered what should go elsewhere
    escalate_cases: int = 0
    escalated_right: int = 0
    clarified: int = 0
    clarified_with_right_choice: int = 0  # a clarify on an answerable case that offered the right entry
    correct: int = 0  # cases whose outcome was exactly the expected one
    misses: list[Miss] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Answerable questions answered with the right entry."""
        return self.correct_answers / self.answerable if self.answerable else 0.0

    @property
    def wrong_answer_rate(self) -> float:
        return self.wrong_answers / self.total if self.total else 0.0

    @property
    def escalation_recall(self) -> float:
        return self.escalated_right / self.escalate_cases if self.escalate_cases else 0.0

    @property
    def clarify_rate(self) -> float:
        return self.clarified / self.total if self.total else 0.0

    @property
    def overall(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(accuracy=self.accuracy, wrong_answer_rate=self.wrong_answer_rate,
                    escalation_recall=self.escalation_recall, clarify_rate=self.clarify_rate, overall=self.overall)
        return data


class CasesError(AdmissionsError):
    pass


def load_cases(path: str | Path, knowledge: KnowledgeBase) -> list[Case]:
    """Read `[{question, expect}]`; every expect must be a known entry id or an outcome."""
    try:
        data = safe_yaml.load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise CasesError(f"Cannot read cases file {path}: {reason}.") from exc
    except safe_yaml.YamlProblem as exc:
        raise CasesError(f"Cases file {path}:{exc.line}: {exc.message}") from exc
    if not isinstance(data, list):
        raise CasesError(f"{path}: expected a list of {{question, expect}} items.")
    cases = []
    for i, item in enumerate(data, 1):
        if (not isinstance(item, dict) or not isinstance(item.get("question"), str)
                or not isinstance(item.get("expect"), str)):
            raise CasesError(f"{path}: item {i} needs 'question' and 'expect' text.")
        expect = item["expect"]
        if expect not in OUTCOMES and not knowledge.has(expect):
            raise CasesError(f"{path}: item {i} expects '{expect}', which is neither an entry id nor one of "
                             f"{', '.join(OUTCOMES)}.")
        cases.append(Case(item["question"], expect))
    return cases


def _expected_outcome(expect: str, knowledge: KnowledgeBase) -> tuple[str, str | None]:
    """(action, entry id) the case expects; a handoff entry means 'escalate'."""
    if expect in OUTCOMES:
        return expect, None
    entry = knowledge.entry(expect)
    return ACTION_FOR_KIND[entry.kind].value, (entry.id if entry.kind is EntryKind.ANSWER else None)


def rank_all(cases: Sequence[Case], answerer: Answerer) -> list[Ranked | None]:
    """Match every case once with the bot's own `rank` (None: nothing to match, as the bot refuses it)."""
    out: list[Ranked | None] = []
    for case in cases:
        try:
            out.append(answerer.rank(case.question))
        except InvalidInput:
            out.append(None)
    return out


def decide_case(case: Case, ranked: Ranked | None, answerer: Answerer, settings: DecisionSettings | None) -> Decision:
    """What `answerer.ask` decides for the case (with `settings` in place of the answerer's own)."""
    if ranked is None:
        return Decision(case.question, Action.ESCALATE, reason="nothing to match")
    return answerer.decide_ranked(ranked, settings)


def evaluate(
    cases: Sequence[Case],
    ranked: Sequence[Ranked | None],
    answerer: Answerer,
    settings: DecisionSettings | None = None,
) -> Report:
    """Score the decisions `answerer.ask` makes (thresholds from `settings` when given)."""
    knowledge = answerer.knowledge
    report = Report()
    for case, ranks in zip(cases, ranked, strict=True):
        decision = decide_case(case, ranks, answerer, settings)
        candidates = ranks.candidates if ranks else ()
        want_action, want_entry = _expected_outcome(case.expect, knowledge)
        got_action = decision.action.value
        got_entry = decision.entry.id if decision.entry and decision.action is Action.ANSWER else None
        report.total += 1
        right = got_action == want_action and (want_entry is None or got_entry == want_entry)
        report.correct += right
        if want_action == "answer":
            report.answerable += 1
            report.correct_answers += right
        if want_action == "escalate":
            report.escalate_cases += 1
            report.escalated_right += got_action == "escalate"
        if decision.action is Action.CLARIFY:
            report.clarified += 1
            report.clarified_with_right_choice += want_entry in {e.id for e in decision.choices}
        if not right and decision.action in (Action.ANSWER, Action.TOUR, Action.SMALLTALK):
            report.wrong_answers += 1
        if not right:
            got = got_action + (f":{decision.entry.id}" if decision.entry else "")
            report.misses.append(Miss(case.question, case.expect, got, round(decision.score, 1),
                                      [(c.entry_id, round(c.score, 1)) for c in candidates[:3]]))
    return report


#: The grid `suggest_settings` searches (inclusive ranges, steps): wide enough that the
#: chosen setting is never pinned to an edge (answering below 10 or demanding a lead
#: over 40 points is never sensible on a 0-100 confidence).
ANSWER_GRID = (10, 90, 2)
CLARIFY_GRID = (0, 88, 4)  # up to the answer threshold
MARGIN_GRID = (0, 40, 4)


def objective(report: Report) -> float:
    """Right outcomes - WRONG_ANSWER_COST x wrong answers + half of the helpful clarifications
    (the student gets there in one click)."""
    return report.correct - WRONG_ANSWER_COST * report.wrong_answers + 0.5 * report.clarified_with_right_choice


def threshold_grid(
    cases: Sequence[Case],
    ranked: Sequence[Ranked | None],
    answerer: Answerer,
    base: DecisionSettings,
) -> list[tuple[float, DecisionSettings, Report]]:
    """(objective, settings, report) for every threshold setting of the grid (`base` gives the rest)."""
    scored: list[tuple[float, DecisionSettings, Report]] = []
    a_lo, a_hi, a_step = ANSWER_GRID
    c_lo, c_hi, c_step = CLARIFY_GRID
    m_lo, m_hi, m_step = MARGIN_GRID
    for answer_t, clarify_t, margin in product(
        range(a_lo, a_hi + 1, a_step), range(c_lo, c_hi + 1, c_step), range(m_lo, m_hi + 1, m_step)
    ):
        if clarify_t > answer_t:
            continue
        settings = replace(base, answer_threshold=float(answer_t), clarify_threshold=float(clarify_t),
                           margin=float(margin))
        report = evaluate(cases, ranked, answerer, settings)
        scored.append((objective(report), settings, report))
    return scored


def suggest_settings(
    cases: Sequence[Case],
    ranked: Sequence[Ranked | None],
    answerer: Answerer,
    base: DecisionSettings,
) -> tuple[DecisionSettings, Report]:
    """The most cautious thresholds that are nearly as good as the best on these cases.

    Every setting of the grid is scored by `objective`. Many settings score
    alike, and the very best is often a low threshold that happens to catch one
    more case of this file, so the choice is: among the settings within one
    wrong answer (WRONG_ANSWER_COST) of the best objective, the highest
    answer_threshold, then the widest margin, then the widest clarify band
    (lowest clarify_threshold). Deterministic, so that the README's
    recalibration procedure reproduces the shipped defaults.
    """
    scored = threshold_grid(cases, ranked, answerer, base)
    best = max(o for o, _, _ in scored)
    _, settings, report = max(
        (x for x in scored if x[0] >= best - WRONG_ANSWER_COST),
        key=lambda x: (x[1].answer_threshold, x[1].margin, -x[1].clarify_threshold),
    )
    return settings, report
