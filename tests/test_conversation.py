"""The conversation layer on its own: each kind of turn -> the Outcome front ends render."""

from datetime import UTC, datetime

import pytest
from faq_fixtures import write_faq

from admissionsbot.core.answering import Answerer
from admissionsbot.core.chatter import addressed_to_bot, is_chatter, looks_like_question
from admissionsbot.core.conversation import Conversation
from admissionsbot.core.decide import DecisionSettings
from admissionsbot.core.desk import TicketDesk
from admissionsbot.core.knowledge import load_knowledge
from admissionsbot.core.models import Asker, FiledReason, TourContact
from admissionsbot.core.outcomes import (
    Answered,
    Clarify,
    Nudge,
    OfferStaff,
    OpenTourForm,
    Pending,
    Refused,
    SmallTalk,
    TicketFiled,
    pending_after,
)
from admissionsbot.core.staff import cli_staff
from admissionsbot.storage import open_store

SAM = Asker("discord", "5000", "Sam")
NOON = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def conv(tmp_path):
    desk = TicketDesk(open_store(str(tmp_path / "q.sqlite3")), max_live_tickets_per_asker=2, clock=lambda: NOON)
    answerer = Answerer(load_knowledge(write_faq(tmp_path / "faq")), DecisionSettings(answer_threshold=30,
                                                                                     clarify_threshold=20, margin=5))
    yield Conversation(answerer, desk, clock=lambda: NOON)
    desk.shutdown()


@pytest.mark.parametrize("text", ["lol", "LOL!!", "hmm", "hmmmm", "ok", "Okay.", "asdfghjkl", "qwrtzp", "42", "3.5",
                                  "yes", "nope", "hahaha", "xD", "ok cool", "never mind", "  k  "])
def test_chatter(text):
    assert is_chatter(text)


@pytest.mark.parametrize("text", ["do internships pay", "tuition?", "rhythm", "internships", "hi", "thanks",
                                  "how much", "is it online", "studio", "mixing"])
def test_not_chatter(text):
    assert not is_chatter(text)


@pytest.mark.parametrize(("text", "kw", "expected"), [
    ("do internships pay?", {}, True),
    ("how long is the program", {}, True),
    ("can't wait for friday lol", {}, False),
    ("same here haha", {}, False),
    ("lol?", {}, False),
    ("anyone know if internships pay?", {"mentions_others": True}, False),
    ("yeah they do", {"replies_to_others": True}, False),
    ("is that right?", {"replies_to_others": True}, False),
    ("thanks", {"replies_to_bot": True}, True),
    ("hey there", {"mentions_bot": True}, True),
])
def test_help_channel_rule(text, kw, expected):
    flags = {"mentions_bot": False, "replies_to_bot": False, "mentions_others": False, "replies_to_others": False}
    flags.update(kw)
    assert addressed_to_bot(text, **flags) is expected


def test_looks_like_question():
    assert looks_like_question("Where is the campus") and looks_like_question("internships pay？")
    assert not looks_like_question("I love this server")


def test_answer_smalltalk_and_clarify(conv):
    answered = conv.ask(SAM, "do internships pay")
    assert isinstance(answered, Answered) and answered.entry.id == "internship-pay"
    assert "career-after-graduation.txt" not in answered.source_title
    assert isinstance(conv.ask(SAM, "hello"), SmallTalk)
    conv.answerer.settings = DecisionSettings(answer_threshold=100, clarify_threshold=1, margin=0)
    clarify = conv.ask(SAM, "internships")
    assert isinstance(clarify, Clarify) and clarify.choices[0].id == "internship-pay"
    assert conv.desk.tickets() == []


def test_no_match_offers_and_files_nothing_until_accepted(conv):
    offer = conv.ask(SAM, "zebra xylophone quantum")
    assert isinstance(offer, OfferStaff) and conv.desk.tickets() == []
    filed = conv.accept_offer(SAM, offer.question, offer.rejected_entry, offer.candidates)
    assert isinstance(filed, TicketFiled) and filed.ticket.reason is FiledReason.NO_MATCH
    assert "I don't have" not in filed.lead


def test_handoff_files_at_once_with_its_own_note(conv):
    filed = conv.ask(SAM, "how much is tuition")
    assert isinstance(filed, TicketFiled) and filed.ticket.reason is FiledReason.HANDOFF
    assert filed.lead == conv.answerer.entry("tuition-cost").answer


def test_chatter_is_nudged_and_never_counts_against_the_cap(conv):
    for text in ("lol", "ok", "asdfghjkl", "42", "yes", "no"):
        assert isinstance(conv.say(SAM, text), Nudge)
    assert conv.desk.tickets() == []
    assert isinstance(conv.request_tour(SAM), OpenTourForm)


def test_yes_files_only_when_an_offer_is_pending(conv):
    assert isinstance(conv.say(SAM, "yes", Pending()), Nudge)
    offer = conv.ask(SAM, "zebra quantum")
    pending = pending_after(offer)
    filed = conv.say(SAM, "yes", pending)
    assert isinstance(filed, TicketFiled) and filed.ticket.question == "zebra quantum"


def test_not_what_i_asked_records_feedback_and_the_rejected_answer(conv, monkeypatch):
    monkeypatch.setattr(conv.answerer, "alternatives", lambda question, shown, limit=3: ())
    offer = conv.not_what_i_asked(SAM, "do internships pay", "internship-pay")
    assert isinstance(offer, OfferStaff) and offer.rejected_entry == "internship-pay"
    filed = conv.say(SAM, "yes", pending_after(offer))
    assert filed.ticket.rejected_entry == "internship-pay" and filed.ticket.reason is FiledReason.REJECTED_ANSWER
    assert [(t.entry_id, t.not_helpful) for t in conv.desk.feedback()] == [("internship-pay", 1)]


def test_none_of_these_after_alternatives_keeps_the_rejected_answer(conv):
    careers = conv.answerer.entry("careers")
    clarify = Clarify("do internships pay", (careers,), "Was it one of these?", rejected_entry="internship-pay")
    filed = conv.say(SAM, "0", pending_after(clarify))
    assert filed.ticket.rejected_entry == "internship-pay"


def test_cap_is_checked_before_the_tour_form_and_at_filing(conv):
    contact = TourContact("Sam", "sam@example.com", "Friday")
    assert isinstance(conv.submit_tour(SAM, contact), TicketFiled)
    form = conv.request_tour(SAM)
    assert isinstance(form, OpenTourForm)  # 1 of 2
    assert isinstance(conv.submit_tour(SAM, contact), TicketFiled)
    refused = conv.request_tour(SAM)
    assert isinstance(refused, Refused) and "already have 2 requests" in refused.reason
    assert isinstance(conv.pass_on(SAM, "one more", FiledReason.ASKED), Refused)
    assert len(conv.desk.tickets()) == 2


def test_out_of_range_number_keeps_the_choices(conv):
    careers = conv.answerer.entry("careers")
    pending = pending_after(Clarify("q", (careers,), "intro"))
    refused = conv.say(SAM, "7", pending)
    assert isinstance(refused, Refused) and pending_after(refused, pending) == pending


def test_a_picked_entry_that_was_removed_is_refused(conv):
    assert isinstance(conv.pick(SAM, "q", "gone-entry"), Refused)


@pytest.mark.parametrize("text", ["yes please", "sure thing", "go ahead", "no thanks", "brb", "what?", "how", "is it"])
def test_stray_replies_and_fragments_are_nudged_not_offered(conv, text):
    outcome = conv.ask(SAM, text)
    assert isinstance(outcome, Nudge), outcome
    assert conv.desk.tickets() == []


def test_no_thanks_after_an_answer_is_a_polite_close_not_a_ticket(conv):
    answered = conv.ask(SAM, "do internships pay")
    outcome = conv.say(SAM, "no thanks", pending_after(answered))
    assert isinstance(outcome, Nudge) and outcome.text.startswith("OK!")
    assert conv.desk.tickets() == [] and conv.desk.feedback() == []


def test_the_same_question_passed_on_twice_is_one_ticket(conv):
    """A double press of "Ask the admissions team" (or asking a hand-off twice) files once and says so."""
    first = conv.accept_offer(SAM, "zebra quantum")
    second = conv.accept_offer(SAM, "zebra quantum")
    assert isinstance(first, TicketFiled) and first.new
    assert isinstance(second, TicketFiled) and not second.new and second.ticket.number == first.ticket.number
    assert "already with the admissions team" in second.lead
    again = conv.ask(SAM, "how much is tuition")
    assert isinstance(conv.ask(SAM, "how much is tuition"), TicketFiled) and again.new
    assert len(conv.desk.tickets()) == 2
    conv.desk.claim(first.ticket.number, cli_staff("Ana"))
    conv.desk.close(first.ticket.number, cli_staff("Ana"), "answered")
    assert conv.accept_offer(SAM, "zebra quantum").new  # closed: a new ticket for the question asked anew
