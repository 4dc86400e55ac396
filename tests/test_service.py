"""AdmissionsService over a real SQLite file: asking, filing, the staff cycle, bad input."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from admissionsbot.core.errors import InvalidInput, TicketNotFound, TransitionError
from admissionsbot.core.knowledge import load_knowledge
from admissionsbot.core.models import Action, Asker, Candidate, Decision, TicketKind, TicketStatus, TourContact
from admissionsbot.core.service import AdmissionsService
from admissionsbot.storage import open_store

from faq_fixtures import TINY_FAQ, write_faq

STUDENT = Asker("console", "sam", "Sam", "console", private=True)


@pytest.fixture
def service(tmp_path):
    kb = load_knowledge(write_faq(tmp_path / "faq"))
    store = open_store(f"sqlite:///{tmp_path / 'tickets.sqlite3'}")
    svc = AdmissionsService(kb, store, max_live_tickets_per_asker=3)
    yield svc
    store.close_store()


@pytest.mark.parametrize("text", ["", "   \n\t ", "\u200b\u200d\ufeff", "🎸🔥😂", "\x00\x07\x1b", "?!...", "\u202e\u2066"])
def test_nothing_to_match_gets_a_clear_message(service, text):
    with pytest.raises(InvalidInput, match="couldn't find a question"):
        service.ask(text)


def test_control_and_zero_width_characters_are_stripped_before_matching(service):
    d = service.ask("do\u200b intern\x00ships\u200d pay?")
    assert d.question == "do internships pay?"
    assert d.candidates[0].entry_id == "internship-pay"


def test_ten_thousand_character_message_goes_to_staff_not_the_matcher(service):
    d = service.ask("internships " * 900)
    assert d.action is Action.ESCALATE and d.reason == "too long"
    ticket = service.escalate(STUDENT, d.question)
    assert len(ticket.question) <= 10_000 + 40


def test_escalate_persists_before_returning(service, tmp_path):
    t = service.escalate(STUDENT, "Is there parking?", (Candidate("careers", 33.3),))
    other = open_store(f"sqlite:///{tmp_path / 'tickets.sqlite3'}")  # a second connection sees it
    try:
        seen = other.get(t.number)
    finally:
        other.close_store()
    assert seen.question == "Is there parking?" and seen.status is TicketStatus.OPEN
    assert seen.candidates == (Candidate("careers", 33.3),)
    assert [e.action for e in seen.events] == ["created"]


def test_cap_on_live_tickets_per_asker_is_polite_and_lifts_after_close(service):
    numbers = [service.escalate(STUDENT, f"question {i}").number for i in range(3)]
    with pytest.raises(InvalidInput, match="already have 3 requests"):
        service.escalate(STUDENT, "one more")
    service.close(numbers[0], "staff", "duplicate")
    assert service.escalate(STUDENT, "one more").number > numbers[-1]
    assert len(service.escalate(Asker("console", "alex", "Alex"), "another asker").question) > 0


def test_tour_request_validates_and_keeps_contact(service):
    with pytest.raises(InvalidInput, match="doesn't look like an email"):
        service.request_tour(STUDENT, TourContact("Sam", "sam at example", "Friday"))
    with pytest.raises(InvalidInput, match="preferred dates/times"):
        service.request_tour(STUDENT, TourContact("Sam", "sam@example.com", "  "))
    t = service.request_tour(STUDENT, TourContact(" Sam ", "sam@example.com", "Friday 3pm", "bringing a parent"))
    assert t.kind is TicketKind.TOUR and t.contact == TourContact("Sam", "sam@example.com", "Friday 3pm", "bringing a parent")


def test_staff_cycle_and_reply_delivery_bookkeeping(service):
    t = service.escalate(STUDENT, "Is there parking?")
    with pytest.raises(TransitionError, match="claim it before replying"):
        service.reply(t.number, "Ana", "Yes")
    service.claim(t.number, "Ana")
    with pytest.raises(TransitionError, match="already claimed by Ana"):
        service.claim(t.number, "Ben")
    with pytest.raises(TransitionError, match="only they can reply"):
        service.reply(t.number, "Ben", "Hi")
    reply = service.reply(t.number, "Ana", "Yes, free parking.")
    assert service.ticket(t.number).status is TicketStatus.ANSWERED
    pending = service.undelivered_replies(STUDENT)
    assert [(tk.number, r.text) for tk, r in pending] == [(t.number, "Yes, free parking.")]
    service.delivery_failed(reply, "DMs closed")
    assert service.undelivered_replies(STUDENT)[0][1].delivery_attempts == 1
    service.mark_delivered(reply)
    assert service.undelivered_replies(STUDENT) == []
    closed = service.close(t.number, "Ana", "answered")
    assert closed.status is TicketStatus.CLOSED and closed.close_reason == "answered"
    with pytest.raises(TransitionError, match="already closed"):
        service.close(t.number, "Ana")
    with pytest.raises(TicketNotFound, match="no ticket #999"):
        service.claim(999, "Ana")


def test_choose_acts_on_the_chosen_entry(service):
    assert service.choose("pay?", "internship-pay").action is Action.ANSWER
    assert service.choose("cost?", "tuition-cost").action is Action.ESCALATE
    assert service.choose("visit", "campus-tour").action is Action.TOUR


def test_alternatives_exclude_the_shown_entry_smalltalk_and_weak_ones(service):
    d = Decision("q", Action.ANSWER, entry=service.entry("internship-pay"), candidates=(
        Candidate("internship-pay", 90), Candidate("careers", 60), Candidate("greeting", 58),
        Candidate("tuition-cost", 52), Candidate("campus-tour", 20)))
    assert [e.id for e in service.alternatives(d)] == ["careers", "tuition-cost"]
    assert [e.id for e in service.alternatives(d, limit=1)] == ["careers"]


def test_reload_swaps_knowledge(service, tmp_path):
    new = load_knowledge(write_faq(tmp_path / "faq2", TINY_FAQ.replace("Many internships are unpaid", "Internships vary")))
    service.reload(new)
    assert service.entry("internship-pay").answer.startswith("Internships vary")


def test_concurrent_escalations_lose_nothing(service):
    askers = [Asker("console", f"u{i}", f"U{i}") for i in range(20)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        tickets = list(pool.map(lambda a: service.escalate(a, f"question from {a.user_id}"), askers))
    assert len({t.number for t in tickets}) == 20
    assert len(service.tickets(limit=100)) == 20


def test_random_unicode_never_escapes_as_anything_but_invalid_input(service):
    """Seeded fuzz: whatever a chat client delivers, ask() decides or says clearly why not."""
    import random

    rng = random.Random(20261126)
    pools = ["abcdefghijklmnopqrstuvwxyz  ", "ÀÉÎõüçß漢字😀🎸\u200b\u200d\u202e\x00\x1b\t\n\r", "?!.,'\"-_/\\@#$%^&*()[]{}<>~`|"]
    for _ in range(2000):
        text = "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 300)))
        try:
            decision = service.ask(text)
        except InvalidInput:
            continue
        assert decision.action in set(Action)
        assert all(0 <= c.score <= 100 for c in decision.candidates)
