"""The eval harness: metrics known exactly on hand-made rankings, and the CLI around it."""

import json
from pathlib import Path

import pytest
from faq_fixtures import write_faq

from admissionsbot.cli import main
from admissionsbot.core.answering import Answerer, Ranked
from admissionsbot.core.decide import DecisionSettings
from admissionsbot.core.evaluation import (
    ANSWER_GRID,
    MARGIN_GRID,
    WRONG_ANSWER_COST,
    Case,
    CasesError,
    evaluate,
    load_cases,
    objective,
    rank_all,
    suggest_settings,
    threshold_grid,
)
from admissionsbot.core.knowledge import load_knowledge
from admissionsbot.core.models import Candidate as C

CASES = [
    (Case("q1", "internship-pay"), (C("internship-pay", 90), C("careers", 40))),  # right answer
    (Case("q2", "careers"), (C("internship-pay", 90), C("careers", 40))),  # wrong answer
    (Case("q3", "careers"), (C("careers", 60), C("internship-pay", 55))),  # clarify, right entry offered
    (Case("q4", "escalate"), (C("internship-pay", 30),)),  # escalated, right
    (Case("q5", "escalate"), (C("internship-pay", 95),)),  # answered what should go to staff: wrong
    (Case("q6", "tuition-cost"), (C("tuition-cost", 90),)),  # handoff entry = escalate, right
    (Case("q7", "tour"), (C("campus-tour", 90),)),  # right
    (Case("q8", "smalltalk"), (C("greeting", 20),)),  # escalated: a miss but not a wrong answer
]
SETTINGS = DecisionSettings(answer_threshold=70, clarify_threshold=50, margin=8)
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def kb(tmp_path):
    return load_knowledge(write_faq(tmp_path / "faq"))


@pytest.fixture
def answerer(kb):
    return Answerer(kb, SETTINGS)


def ranked_cases():
    return [c for c, _ in CASES], [Ranked(c.question, r) for c, r in CASES]


def test_metrics_are_exact(answerer):
    r = evaluate(*ranked_cases(), answerer)
    assert (r.total, r.answerable, r.correct_answers) == (8, 3, 1)
    assert r.accuracy == pytest.approx(1 / 3)
    assert r.wrong_answers == 2 and r.wrong_answer_rate == pytest.approx(2 / 8)
    assert (r.escalate_cases, r.escalated_right) == (3, 2) and r.escalation_recall == pytest.approx(2 / 3)
    assert (r.clarified, r.clarified_with_right_choice) == (1, 1) and r.clarify_rate == pytest.approx(1 / 8)
    assert r.correct == 4
    assert [m.question for m in r.misses] == ["q2", "q3", "q5", "q8"]
    assert r.misses[0].got == "answer:internship-pay" and r.misses[0].candidates[0] == ("internship-pay", 90)


def test_suggestion_is_the_most_cautious_setting_nearly_as_good_as_the_best(answerer):
    cases, ranked = ranked_cases()
    suggested, report = suggest_settings(cases, ranked, answerer, SETTINGS)
    grid = threshold_grid(cases, ranked, answerer, SETTINGS)
    best = max(o for o, _, _ in grid)
    assert objective(report) >= best - WRONG_ANSWER_COST
    assert objective(report) >= objective(evaluate(cases, ranked, answerer, SETTINGS)) - WRONG_ANSWER_COST
    near = [s for o, s, _ in grid if o >= best - WRONG_ANSWER_COST]
    assert suggested.answer_threshold == max(s.answer_threshold for s in near)
    same = [s for s in near if s.answer_threshold == suggested.answer_threshold]
    assert suggested.margin == max(s.margin for s in same)
    assert report == evaluate(cases, ranked, answerer, suggested)
    assert suggested.max_choices == SETTINGS.max_choices  # only the three thresholds move


def test_suggestion_on_tune_reproduces_the_shipped_defaults():
    """README "Recalibrating": `eval tests/golden/tune.yaml --suggest` gives the defaults in core/decide.py,
    and they lie inside the grid (a suggestion pinned to an edge would mean the grid is too narrow).
    After an FAQ edit this fails until the defaults are recalibrated the same way."""
    knowledge = load_knowledge(REPO / "faq")
    cases = load_cases(REPO / "tests" / "golden" / "tune.yaml", knowledge)
    answerer = Answerer(knowledge, DecisionSettings())
    suggested, _ = suggest_settings(cases, rank_all(cases, answerer), answerer, DecisionSettings())
    assert suggested == DecisionSettings()
    assert ANSWER_GRID[0] < suggested.answer_threshold < ANSWER_GRID[1]
    assert suggested.margin < MARGIN_GRID[1]


def test_cases_file_errors_are_clear(kb, tmp_path):
    bad = tmp_path / "cases.yaml"
    bad.write_text("- {question: hi, expect: no-such-entry}\n")
    with pytest.raises(CasesError, match="expects 'no-such-entry', which is neither an entry id"):
        load_cases(bad, kb)
    bad.write_text("question: hi\n")
    with pytest.raises(CasesError, match="expected a list"):
        load_cases(bad, kb)


def test_eval_cli_json_and_min_accuracy_exit_code(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    faq = write_faq(tmp_path / "faq")
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "- {question: 'Do internships pay?', expect: internship-pay}\n"
        "- {question: 'What careers can I have after graduating?', expect: careers}\n"
        "- {question: 'Can I book a campus tour?', expect: tour}\n"
        "- {question: 'zebra xylophone quantum', expect: escalate}\n"
    )
    assert main(["eval", str(cases), "--faq", str(faq), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 4 and data["accuracy"] == 1.0 and data["wrong_answer_rate"] == 0.0
    assert data["escalation_recall"] == 1.0
    assert main(["eval", str(cases), "--faq", str(faq), "--min-accuracy", "1.0"]) == 0
    out = capsys.readouterr().out
    assert "accuracy (answerable, right entry): 1.000  (2/2)" in out
    cases.write_text("- {question: 'zebra xylophone quantum', expect: careers}\n")
    assert main(["eval", str(cases), "--faq", str(faq), "--min-accuracy", "0.5"]) == 1
    assert "expected careers, got escalate" in capsys.readouterr().out
