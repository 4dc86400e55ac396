"""The pure decision rules, on hand-made candidates (no matcher involved)."""

import pytest

from admissionsbot.core.decide import DecisionSettings, decide
from admissionsbot.core.models import Action, Candidate, Entry, EntryKind

ENTRIES = {
    e.id: e
    for e in [
        Entry("pay", "Do internships pay?", (), "Often unpaid.", "doc.txt"),
        Entry("careers", "What careers?", (), "Producer.", "doc.txt"),
        Entry("strict", "Strict entry?", (), "Strict.", "doc.txt", min_score=95),
        Entry("tuition", "How much is tuition?", (), "Staff will say.", "admissions-team", EntryKind.HANDOFF),
        Entry("tour", "Book a tour?", (), "Sure.", "doc.txt", EntryKind.TOUR),
        Entry("hello", "Hello", (), "Hi!", "admissions-team", EntryKind.SMALLTALK),
    ]
}
S = DecisionSettings(answer_threshold=70, clarify_threshold=50, margin=8, max_choices=3, max_question_chars=100)


def run(*pairs, question="q", settings=S):
    return decide(question, [Candidate(e, s) for e, s in pairs], ENTRIES.__getitem__, settings)


def test_confident_and_clearly_ahead_answers():
    d = run(("pay", 85), ("careers", 60))
    assert d.action is Action.ANSWER and d.entry.id == "pay" and d.answer == "Often unpaid." and d.score == 85


def test_confident_but_too_close_to_runner_up_clarifies_with_both():
    d = run(("pay", 85), ("careers", 80), ("tour", 40))
    assert d.action is Action.CLARIFY
    assert [e.id for e in d.choices] == ["pay", "careers"]  # tour is below the clarify threshold
    assert d.answer is None


def test_margin_exactly_met_answers():
    assert run(("pay", 78), ("careers", 70)).action is Action.ANSWER


def test_between_thresholds_offers_did_you_mean():
    d = run(("careers", 65), ("pay", 30))
    assert d.action is Action.CLARIFY and [e.id for e in d.choices] == ["careers"]


def test_below_clarify_threshold_escalates_with_no_match():
    d = run(("careers", 49), ("pay", 30))
    assert d.action is Action.ESCALATE and d.reason == "no match" and d.entry is None


def test_no_candidates_escalates():
    assert run().action is Action.ESCALATE


def test_handoff_entry_routes_to_staff_with_its_entry():
    d = run(("tuition", 90), ("pay", 40))
    assert d.action is Action.ESCALATE and d.reason == "handoff" and d.entry.id == "tuition"
    assert d.answer is None  # a hand-off is never presented as an answer


def test_tour_and_smalltalk_actions():
    assert run(("tour", 90)).action is Action.TOUR
    d = run(("hello", 90))
    assert d.action is Action.SMALLTALK and d.answer == "Hi!"


def test_smalltalk_steps_aside_for_a_real_question():
    d = run(("hello", 75), ("pay", 72), ("careers", 40))
    assert d.action is Action.ANSWER and d.entry.id == "pay"


def test_smalltalk_never_offered_as_a_choice():
    d = run(("hello", 60), ("pay", 58))
    assert d.action is Action.CLARIFY and [e.id for e in d.choices] == ["pay"]


def test_per_entry_min_score_overrides_global_threshold():
    assert run(("strict", 90), ("pay", 10)).action is Action.CLARIFY
    assert run(("strict", 96), ("pay", 10)).action is Action.ANSWER


def test_too_long_question_escalates():
    d = run(("pay", 99), question="x" * 101)
    assert d.action is Action.ESCALATE and d.reason == "too long"


def test_max_choices_caps_did_you_mean():
    s = DecisionSettings(70, 50, 8, max_choices=2)
    d = run(("pay", 69), ("careers", 68), ("tour", 67), settings=s)
    assert len(d.choices) == 2


@pytest.mark.parametrize(
    "kwargs", [dict(answer_threshold=40, clarify_threshold=50), dict(margin=-1), dict(max_choices=0)]
)
def test_invalid_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        DecisionSettings(**kwargs)


def test_confident_handoff_close_behind_an_answer_goes_to_staff():
    d = run(("pay", 85), ("tuition", 80), ("careers", 60))
    assert d.action is Action.ESCALATE and d.reason == "handoff"
    assert d.entry.id == "tuition" and d.score == 80


def test_confident_handoff_on_top_of_a_close_call_goes_to_staff():
    d = run(("tuition", 82), ("pay", 79))
    assert d.action is Action.ESCALATE and d.reason == "handoff" and d.entry.id == "tuition"


def test_close_handoff_below_the_answer_threshold_is_only_offered():
    d = run(("pay", 75), ("tuition", 69), ("careers", 60))  # within the margin, but not confident itself
    assert d.action is Action.CLARIFY and [e.id for e in d.choices] == ["pay", "tuition", "careers"]


def test_handoff_outside_the_margin_does_not_stop_an_answer():
    assert run(("pay", 90), ("tuition", 72)).action is Action.ANSWER


def test_no_handoff_rule_when_the_top_is_not_confident():
    d = run(("pay", 65), ("tuition", 64))
    assert d.action is Action.CLARIFY
