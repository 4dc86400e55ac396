"""Learning from answered tickets (core/learning.py): the next identical question is answered, the file
stays a reviewable diff, a bad learn writes nothing, concurrent learns both land."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from faq_fixtures import TINY_FAQ, write_faq, write_material

from admissionsbot.bootstrap import Assistant, build_assistant
from admissionsbot.config import Settings
from admissionsbot.core.faq_locking import folder_lock
from admissionsbot.core.knowledge import check_faq, load_knowledge
from admissionsbot.core.learning import LEARNED_FILE, LearnError, NewEntry, suggest_id
from admissionsbot.core.models import Asker, EntryKind, TourContact
from admissionsbot.core.outcomes import Answered, OfferStaff, TicketFiled
from admissionsbot.core.staff import cli_staff

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
SAM, BOB = Asker("console", "sam", "Sam"), Asker("console", "bob", "Bob")
ADA = cli_staff("ada")
PARKING = "Is there parking for students at the school?"
#: An FAQ file with comments and keys in a particular order: a learn must leave all of it as it is.
COMMENTED = """\
# Careers: what graduates do.   (a header comment)
- id: careers
  question: What careers can I have after graduating?
  # the phrasings below came from the open day
  alternates:
    - what jobs can graduates get   # the most asked
    - which careers are open to graduates
    - can I become a music producer
    - can I work as an audio engineer
    - what can I do with the diploma
  source: career-after-graduation.txt   # source before answer, on purpose
  answer: >-
    Producer, recording engineer,
    mix engineer and more.

# a trailing comment
"""


@pytest.fixture
def assistant(tmp_path: Path) -> Assistant:
    faq = write_faq(tmp_path / "faq", TINY_FAQ.split("- id: careers")[0])
    (faq / "careers.yaml").write_text(COMMENTED, encoding="utf-8")
    settings = Settings(faq_dir=str(faq), database_url=str(tmp_path / "q.sqlite3"))
    built = build_assistant(settings, clock=lambda: NOON)
    yield built
    built.shutdown()


def answered_ticket(assistant: Assistant, question: str = PARKING, reply: str = "Yes: free parking behind the "
                    "building; ask reception for a pass.") -> int:
    """A question the bot cannot answer, passed on by the student and answered by staff: its number."""
    offer = assistant.conversation.ask(SAM, question)
    assert isinstance(offer, OfferStaff), offer
    filed = assistant.conversation.accept_offer(SAM, offer.question)
    assert isinstance(filed, TicketFiled)
    number = filed.ticket.number
    assistant.desk.claim(number, ADA)
    assistant.desk.reply(number, ADA, reply)
    return number


def faq_texts(assistant: Assistant) -> dict[str, str]:
    folder = Path(assistant.answerer.knowledge.directory)
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}


def test_a_new_entry_answers_the_very_next_identical_question(assistant: Assistant):
    number = answered_ticket(assistant)
    assert isinstance(assistant.conversation.ask(BOB, PARKING), OfferStaff)  # not known yet

    learned = assistant.learner.new_entry(number, ADA, NewEntry("campus-parking"))

    outcome = assistant.conversation.ask(BOB, PARKING)  # the watch picks the new file up before the turn
    assert isinstance(outcome, Answered) and outcome.entry.id == "campus-parking"
    assert outcome.entry.answer.startswith("Yes: free parking behind the building")
    assert learned.new_entry and learned.file.name == LEARNED_FILE
    text = learned.file.read_text(encoding="utf-8")
    assert "source: admissions-team" in text and "learned_by: ada (cli)" in text
    assert "learned_at: 2026-12-02 12:00 UTC" in text and f"learned_from: {number}" in text
    assert [w.message for w in learned.warnings] == [
        "learned entry has 0 alternate phrasing(s); add more as students write them (written entries need 5)."]
    event = assistant.desk.ticket(number).events[-1]
    assert (event.action, event.detail) == ("learned", "into entry 'campus-parking' as a new entry (faq/learned.yaml)")


def test_a_phrasing_lands_in_its_entrys_file_and_nothing_else_changes(assistant: Assistant):
    question = "Will studying here get me a job in film sound"
    number = answered_ticket(assistant, question, "Film sound is one of the careers, yes.")
    before = faq_texts(assistant)

    learned = assistant.learner.add_phrasing(number, ADA, "careers", ["could I do sound for films"])

    after = faq_texts(assistant)
    assert set(after) == set(before) and after["faq.yaml"] == before["faq.yaml"]
    added = [line for line in after["careers.yaml"].splitlines() if line not in before["careers.yaml"].splitlines()]
    note = f"  # from ticket #{number}, learned by ada (cli) on 2026-12-02"
    assert added == [f"    - {question}{note}", f"    - could I do sound for films{note}"]
    # every old line, comment and key order is still there, in order, with the new lines after the last phrasing
    old_lines = before["careers.yaml"].splitlines()
    assert [line for line in after["careers.yaml"].splitlines() if line not in added] == old_lines
    assert after["careers.yaml"].splitlines()[10:12] == added
    assert learned.diff.count("\n+    - ") == 2 and "\n-" not in learned.diff
    assert learned.phrasings == (question, "could I do sound for films")
    outcome = assistant.conversation.ask(BOB, question)
    assert isinstance(outcome, Answered) and outcome.entry.id == "careers"


@pytest.mark.parametrize(("learn", "message"), [
    (lambda a, n: a.learner.new_entry(n, ADA, NewEntry("Campus Parking")), "'id' must be a lowercase slug"),
    (lambda a, n: a.learner.new_entry(n, ADA, NewEntry("campus-parking", answer="x" * 3600)),
     "'answer' is 3600 characters; at most 3500"),
    (lambda a, n: a.learner.new_entry(n, ADA, NewEntry("careers")), "Entry 'careers' already exists"),
    (lambda a, n: a.learner.new_entry(n, ADA, NewEntry("campus-parking", alternates=("do interns get paid",))),
     "also appears in entry 'internship-pay'"),
    (lambda a, n: a.learner.add_phrasing(n, ADA, "carers"), "no FAQ entry 'carers'. Did you mean 'careers'?"),
    (lambda a, n: a.learner.add_phrasing(n, ADA, "careers", ["x" * 301]), "a phrasing is at most 300"),
    (lambda a, n: a.learner.new_entry(n, ADA, NewEntry("tour-thing", kind=EntryKind.TOUR)), "not 'tour'"),
])
def test_a_bad_learn_writes_nothing_and_says_why(assistant: Assistant, learn, message):
    number = answered_ticket(assistant)
    before = faq_texts(assistant)
    with pytest.raises(LearnError) as info:
        learn(assistant, number)
    assert message in str(info.value)
    assert faq_texts(assistant) == before
    assert [e.action for e in assistant.desk.ticket(number).events][-1] == "replied"


def test_an_faq_error_names_file_line_and_entry(assistant: Assistant):
    number = answered_ticket(assistant)
    with pytest.raises(LearnError) as info:
        assistant.learner.new_entry(number, ADA, NewEntry("campus-parking", question="x" * 81))
    assert "an entry's question is at most 80" in str(info.value)
    with pytest.raises(LearnError) as info:
        assistant.learner.new_entry(number, ADA, NewEntry("bad_id"))
    [problem] = info.value.problems
    assert (Path(problem.file).name, problem.line, problem.entry_id) == ("learned.yaml", 7, "bad_id")
    assert str(Path(assistant.answerer.knowledge.directory)) in problem.file  # the real file, not the scratch copy
    assert not (Path(assistant.answerer.knowledge.directory) / LEARNED_FILE).exists()


def test_no_learn_while_the_faq_is_broken_or_from_a_tour(assistant: Assistant):
    number = answered_ticket(assistant)
    folder = Path(assistant.answerer.knowledge.directory)
    (folder / "broken.yaml").write_text("- id: x\n  question: [\n", encoding="utf-8")
    with pytest.raises(LearnError, match="has errors already"):
        assistant.learner.new_entry(number, ADA, NewEntry("campus-parking"))
    (folder / "broken.yaml").unlink()
    tour = assistant.desk.request_tour(SAM, TourContact("Sam", "sam@example.org", "Friday"))
    with pytest.raises(LearnError, match="tour request"):
        assistant.learner.add_phrasing(tour.number, ADA, "careers")
    unanswered = assistant.conversation.accept_offer(BOB, "Can my dog come to class?")
    with pytest.raises(LearnError, match="no staff reply yet"):
        assistant.learner.new_entry(unanswered.ticket.number, ADA, NewEntry("dogs"))


def test_two_learns_at_once_both_land_whole(assistant: Assistant):
    """Both append to learned.yaml at the same moment: the lock makes one wait, so both entries are there."""
    asked = ("Is the cafeteria vegetarian friendly", "Are there lockers for my bag")
    numbers = [answered_ticket(assistant, q) for q in asked]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def learn(number: int, entry_id: str) -> None:
        start.wait()
        try:
            assistant.learner.new_entry(number, ADA, NewEntry(entry_id))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=learn, args=(n, e)) for n, e in zip(numbers, ("cafeteria", "lockers"),
                                                                             strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    knowledge = load_knowledge(assistant.answerer.knowledge.directory)
    assert {knowledge.entry("cafeteria").question, knowledge.entry("lockers").question} == set(asked)
    for question, entry_id in zip(asked, ("cafeteria", "lockers"), strict=True):
        outcome = assistant.conversation.ask(BOB, question)
        assert isinstance(outcome, Answered) and outcome.entry.id == entry_id


def test_a_learn_waits_for_the_lock_and_gives_up_clearly(assistant: Assistant):
    number = answered_ticket(assistant)
    assistant.learner.lock_wait = 0.2
    with folder_lock(assistant.answerer.knowledge.directory, 1.0):  # someone else is writing
        with pytest.raises(LearnError, match="Someone else is changing the FAQ"):
            assistant.learner.new_entry(number, ADA, NewEntry("campus-parking"))
    assert not (Path(assistant.answerer.knowledge.directory) / LEARNED_FILE).exists()
    assistant.learner.new_entry(number, ADA, NewEntry("campus-parking"))  # free again


def test_learned_entries_are_staff_knowledge_for_the_grounding_check(assistant: Assistant, tmp_path: Path):
    number = answered_ticket(assistant, reply="Parking is guaranteed: 250 free spaces behind Studio B.")
    assistant.learner.new_entry(number, ADA, NewEntry("campus-parking", alternates=("where can I park",)))
    folder = assistant.answerer.knowledge.directory
    _, problems = check_faq(folder, write_material(tmp_path / "material"), strict=True)
    learned = [p for p in problems if p.entry_id == "campus-parking"]
    assert [p.severity for p in learned] == ["warning"]  # only the "add phrasings" reminder
    assert "alternate phrasing" in learned[0].message
    # the same answer without learned_by is an answer citing no document: refused against the material
    text = (Path(folder) / LEARNED_FILE).read_text(encoding="utf-8")
    (Path(folder) / LEARNED_FILE).write_text("\n".join(line for line in text.splitlines()
                                                       if not line.startswith("  learned_")), encoding="utf-8")
    _, problems = check_faq(folder, tmp_path / "material")
    assert any("must cite a document" in p.message for p in problems if p.entry_id == "campus-parking")


def test_a_reworded_question_keeps_the_students_words_as_a_phrasing(assistant: Assistant):
    asked = "hey so like can i park my car at ur school or nah"
    number = answered_ticket(assistant, asked)
    learned = assistant.learner.new_entry(number, ADA, NewEntry("campus-parking", question="Is there parking?",
                                                                alternates=("where can I park", "where can I park")))
    entry = learned.knowledge.entry("campus-parking")
    assert entry.question == "Is there parking?" and entry.alternates == (asked, "where can I park")
    assert isinstance(assistant.conversation.ask(BOB, asked), Answered)


def test_suggested_ids_are_slugs_of_the_content_words():
    assert suggest_id("Can I bring my dog to class?") == "bring-dog-class"
    assert suggest_id("what?") == "learned-entry"
