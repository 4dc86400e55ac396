"""The console conversation, turn by turn, over a real service and SQLite file."""

import io

import pytest

from admissionsbot.adapters.console import ConsoleChat
from admissionsbot.core.decide import DecisionSettings
from admissionsbot.core.knowledge import load_knowledge
from admissionsbot.core.models import Asker, TicketKind
from admissionsbot.core.service import AdmissionsService
from admissionsbot.storage import open_store

from faq_fixtures import write_faq

SAM = Asker("console", "sam", "Sam", "console", private=True)


@pytest.fixture
def service(tmp_path):
    store = open_store(str(tmp_path / "q.sqlite3"))
    yield AdmissionsService(load_knowledge(write_faq(tmp_path / "faq")), store)
    store.close_store()


def talk(service, *lines, settings=None):
    if settings:
        service.settings = settings
    out = io.StringIO()
    ConsoleChat(service, SAM, out).run(list(lines))
    return out.getvalue()


def test_answer_shows_source_and_hint(service):
    service.settings = DecisionSettings(answer_threshold=1, clarify_threshold=0, margin=0)
    out = talk(service, "do internships pay")
    assert "Many internships are unpaid" in out and "(Source: career-after-graduation.txt)" in out
    assert "Type 'no' for other options" in out


def test_clarify_then_pick_a_number(service):
    service.settings = DecisionSettings(answer_threshold=100, clarify_threshold=1, margin=0)
    out = talk(service, "do internships pay", "1")
    assert "Did you mean:\n  1. Do internships pay?" in out
    assert "0. None of these: ask the admissions team" in out
    assert out.count("Many internships are unpaid") == 1


def test_clarify_out_of_range_then_none_files_a_ticket(service):
    service.settings = DecisionSettings(answer_threshold=100, clarify_threshold=1, margin=0)
    out = talk(service, "do internships pay", "9", "0")
    assert "Please type a number from 0" in out and "ticket #1" in out
    ticket = service.ticket(1)
    assert ticket.question == "do internships pay" and ticket.candidates[0].entry_id == "internship-pay"


def test_not_what_i_asked_hands_off_when_nothing_else_matches(service):
    service.settings = DecisionSettings(answer_threshold=1, clarify_threshold=0, margin=0)
    out = talk(service, "do internships pay", "no")
    assert "Sorry about that. I'll ask a person instead. Your question is ticket #1" in out
    [tally] = service.feedback()
    assert (tally.entry_id, tally.not_helpful) == ("internship-pay", 1)


def test_not_what_i_asked_offers_the_other_candidates(service, monkeypatch):
    service.settings = DecisionSettings(answer_threshold=1, clarify_threshold=0, margin=0)
    monkeypatch.setattr(service, "alternatives", lambda decision, limit=3: (service.entry("careers"),))
    out = talk(service, "do internships pay", "no", "1")
    assert "Was it one of these?\n  1. What careers can I have after graduating?" in out
    assert "Producer, recording engineer, mix engineer and more." in out


def test_unmatched_question_is_escalated_with_ticket_number(service):
    out = talk(service, "zebra xylophone quantum")
    assert "passed your question to the admissions team (ticket #1)" in out
    assert service.ticket(1).question == "zebra xylophone quantum"


def test_handoff_topic_explains_then_files_a_ticket(service):
    service.settings = DecisionSettings(answer_threshold=1, clarify_threshold=0, margin=0)
    out = talk(service, "how much is tuition")
    assert "I can't quote tuition; the admissions team will send current figures. Your question is ticket #1" in out
    assert service.ticket(1).question == "how much is tuition"


def test_staff_command_without_a_question_explains(service):
    out = talk(service, "staff")
    assert "Type your question first" in out
    assert service.tickets() == []


def test_tour_flow_validates_email_and_files_a_tour_ticket(service):
    out = talk(service, "tour", "Sam Lee", "not-an-email", "sam@example.com", "Fridays after 3pm", "no")
    assert "doesn't look like an email address" in out
    assert "ticket #1" in out and "sam@example.com" in out
    t = service.ticket(1)
    assert t.kind is TicketKind.TOUR and t.contact.name == "Sam Lee" and t.contact.notes == ""
    assert t.contact.preferred_times == "Fridays after 3pm"


def test_tour_flow_can_be_cancelled(service):
    out = talk(service, "tour", "Sam", "cancel", "help")
    assert "tour request cancelled" in out and "Other things you can type" in out
    assert service.tickets() == []


def test_end_of_input_mid_tour_exits_cleanly_and_files_nothing(service):
    out = talk(service, "tour", "Sam")
    assert out.rstrip().endswith("Bye! Come back any time.")
    assert service.tickets() == []


def test_bad_input_gets_messages_not_tracebacks(service):
    out = talk(service, "", "🎸🎸🎸", "\u200b\u200b", "x" * 10_000)
    assert out.count("Type a question") == 2 and out.count("couldn't find a question") == 1
    assert "long message" in out and "ticket #1" in out


def test_quit_leaves(service):
    out = talk(service, "quit", "do internships pay")
    assert "Many internships" not in out and "Bye!" in out
