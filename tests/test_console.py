"""The console conversation, turn by turn, over the real conversation layer and a SQLite file."""

import io
from datetime import UTC, datetime

import pytest
from faq_fixtures import write_faq

from admissionsbot.adapters.console import ConsoleChat
from admissionsbot.core.answering import Answerer
from admissionsbot.core.conversation import Conversation
from admissionsbot.core.decide import DecisionSettings
from admissionsbot.core.desk import TicketDesk
from admissionsbot.core.knowledge import load_knowledge
from admissionsbot.core.models import Asker, FiledReason, TicketKind
from admissionsbot.core.office_hours import OfficeHours
from admissionsbot.core.staff import cli_staff
from admissionsbot.storage import open_store

SAM = Asker("console", "sam", "Sam", "console", private=True)
WEDNESDAY_MORNING = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
SATURDAY_NIGHT = datetime(2024, 5, 4, 23, 0, tzinfo=UTC)
LOOSE = DecisionSettings(answer_threshold=1, clarify_threshold=0, margin=0)  # anything that matches is answered
ALWAYS_CLARIFY = DecisionSettings(answer_threshold=100, clarify_threshold=1, margin=0)


@pytest.fixture
def conversation(tmp_path):
    desk = TicketDesk(open_store(str(tmp_path / "q.sqlite3")), clock=lambda: WEDNESDAY_MORNING)
    answerer = Answerer(load_knowledge(write_faq(tmp_path / "faq")))
    yield Conversation(answerer, desk, OfficeHours.parse(), clock=lambda: WEDNESDAY_MORNING)
    desk.shutdown()


def talk(conversation, *lines, settings=None):
    if settings:
        conversation.answerer.settings = settings
    out = io.StringIO()
    ConsoleChat(conversation, SAM, out).run(list(lines))
    return out.getvalue()


def tickets(conversation):
    return conversation.desk.tickets()


def test_answer_shows_a_human_source_title_never_the_file_name(conversation):
    out = talk(conversation, "do internships pay", settings=LOOSE)
    assert "Many internships are unpaid" in out
    assert "career-after-graduation.txt" not in out
    title = conversation.answerer.knowledge.source_title("career-after-graduation.txt")
    assert (f"(Source: {title})" in out) if title else ("Source:" not in out)
    assert "Type 'no' for other options" in out


def test_clarify_then_pick_a_number(conversation):
    out = talk(conversation, "do internships pay", "1", settings=ALWAYS_CLARIFY)
    assert "Did you mean" in out and "1. " in out and "0. None of these" in out
    assert "Many internships are unpaid" in out or "Producer" in out


def test_clarify_out_of_range_keeps_the_choices_then_none_files_a_ticket(conversation):
    out = talk(conversation, "do internships pay", "9", "0", settings=ALWAYS_CLARIFY)
    assert "number from 0 to" in out and "ticket #1" in out
    ticket = conversation.desk.ticket(1)
    assert ticket.question == "do internships pay" and ticket.reason is FiledReason.NONE_OF_THESE


def test_no_match_is_offered_not_filed_and_yes_files_it(conversation):
    out = talk(conversation, "zebra xylophone quantum")
    assert "Shall I pass your question to the admissions team?" in out
    assert tickets(conversation) == []
    out = talk(conversation, "zebra xylophone quantum", "yes")
    ticket = conversation.desk.ticket(1)
    assert ticket.question == "zebra xylophone quantum" and ticket.reason is FiledReason.NO_MATCH
    assert "ticket #1" in out


def test_an_offer_declined_or_ignored_files_nothing(conversation):
    talk(conversation, "zebra xylophone quantum", "no")
    talk(conversation, "zebra xylophone quantum", "do internships pay")
    assert tickets(conversation) == []


@pytest.mark.parametrize("chatter", ["lol", "hmm", "asdfghjkl", "ok", "42", "yes", "no", "hahaha"])
def test_chatter_gets_a_nudge_and_no_ticket(conversation, chatter):
    out = talk(conversation, chatter)
    assert "ask me a question" in out and "ticket" not in out.replace("'tickets'", "")
    assert tickets(conversation) == []


def test_not_what_i_asked_with_nothing_else_offers_a_person_and_records_the_rejection(conversation, monkeypatch):
    monkeypatch.setattr(conversation.answerer, "alternatives", lambda question, shown, limit=3: ())
    out = talk(conversation, "do internships pay", "no", "yes", settings=LOOSE)
    [tally] = conversation.desk.feedback()
    assert tally.entry_id == "internship-pay" and tally.not_helpful == 1
    ticket = conversation.desk.ticket(1)
    assert ticket.reason is FiledReason.REJECTED_ANSWER and ticket.rejected_entry == "internship-pay"
    assert "I don't have an answer for that" not in out and "Sorry that answer missed" in out


def test_not_what_i_asked_offers_the_other_candidates(conversation, monkeypatch):
    careers = conversation.answerer.entry("careers")
    monkeypatch.setattr(conversation.answerer, "alternatives", lambda question, shown, limit=3: (careers,))
    out = talk(conversation, "do internships pay", "no", "1", settings=LOOSE)
    assert "Was it one of these?" in out and "Producer, recording engineer" in out


def test_staff_right_after_an_answer_files_with_the_rejected_answer(conversation):
    out = talk(conversation, "do internships pay", "staff", settings=LOOSE)
    ticket = conversation.desk.ticket(1)
    assert ticket.rejected_entry == "internship-pay" and ticket.reason is FiledReason.REJECTED_ANSWER
    assert "I don't have an answer" not in out


def test_handoff_topic_explains_then_files_a_ticket_at_once(conversation):
    out = talk(conversation, "how much is tuition", settings=LOOSE)
    assert "ticket #1" in out
    ticket = conversation.desk.ticket(1)
    assert ticket.question == "how much is tuition" and ticket.reason is FiledReason.HANDOFF


def test_staff_command_without_a_question_explains(conversation):
    out = talk(conversation, "staff")
    assert "Type your question first" in out
    assert tickets(conversation) == []


def test_outside_office_hours_the_student_is_told_when_it_opens(conversation):
    conversation.clock = lambda: SATURDAY_NIGHT
    out = talk(conversation, "how much is tuition", settings=LOOSE)
    assert "closed right now" in out and "Monday 09:00" in out
    conversation.clock = lambda: WEDNESDAY_MORNING
    assert "closed right now" not in talk(conversation, "zebra quantum", "yes")


def test_tour_flow_validates_email_and_files_a_tour_ticket(conversation):
    out = talk(conversation, "tour", "Sam Lee", "not-an-email", "sam@example.com", "Fridays after 3pm", "no")
    assert "doesn't look like an email address" in out
    assert "ticket #1" in out and "sam@example.com" in out
    t = conversation.desk.ticket(1)
    assert t.kind is TicketKind.TOUR and t.contact.name == "Sam Lee" and t.contact.notes == ""
    assert t.contact.preferred_times == "Fridays after 3pm"


def test_tour_form_is_refused_at_the_cap_before_any_question(conversation):
    conversation.desk.max_live_tickets_per_asker = 1
    talk(conversation, "zebra quantum", "yes")
    out = talk(conversation, "tour", "Sam")
    assert "already have 1 requests" in out and "What's your name?" not in out
    assert len(tickets(conversation)) == 1


def test_tour_flow_can_be_cancelled(conversation):
    out = talk(conversation, "tour", "Sam", "cancel", "help")
    assert "tour request cancelled" in out and "Other things you can type" in out
    assert tickets(conversation) == []


def test_end_of_input_mid_tour_says_the_request_was_not_sent(conversation):
    out = talk(conversation, "tour", "Sam")
    assert "NOT sent" in out
    assert out.rstrip().endswith("Bye! Come back any time.")
    assert tickets(conversation) == []


def test_bad_input_gets_messages_not_tracebacks(conversation):
    out = talk(conversation, "", "🎸🎸🎸", "\u200b\u200b", "x" * 10_000, "my story: " + "we moved cities twice " * 500)
    assert out.count("Type a question") == 2 and out.count("couldn't find a question") == 1
    assert out.count("ask me a question") == 2  # the keyboard mash is a nudge, not a ticket
    assert "long message" in out and "ticket #1" in out
    assert tickets(conversation)[0].reason is FiledReason.TOO_LONG


def test_quit_leaves(conversation):
    out = talk(conversation, "quit", "do internships pay")
    assert "Many internships" not in out and "Bye!" in out


def test_greeting_promises_nothing_only_staff_can_give(conversation):
    out = talk(conversation)
    assert "about our program" not in out and "admissions team" in out


def test_staff_reply_shows_up_in_the_next_chat_once(conversation):
    talk(conversation, "zebra quantum", "yes")
    conversation.desk.claim(1, cli_staff("Ana"))
    conversation.desk.reply(1, cli_staff("Ana"), "We'll get back to you about zebras.")
    first = talk(conversation)
    second = talk(conversation)
    assert "about zebras" in first and "about zebras" not in second


class FlakyStore:
    """Wraps a real store; the named methods raise StorageError while `down` is set."""

    def __init__(self, store, *methods):
        self._store, self._methods, self.down = store, set(methods), True

    def __getattr__(self, name):
        attr = getattr(self._store, name)
        if name in self._methods and self.down:
            def broken(*args, **kwargs):
                from admissionsbot.core.errors import StorageError
                raise StorageError("The ticket database is locked by another program; try again in a moment.")
            return broken
        return attr


def test_a_database_outage_keeps_the_tour_form_typed(conversation):
    flaky = FlakyStore(conversation.desk.store, "create")
    conversation.desk.store = flaky
    out = io.StringIO()
    chat = ConsoleChat(conversation, SAM, out)
    for line in ["tour", "Sam Lee", "sam@example.com", "Friday 3pm", "bring my dad", "bring my dad"]:
        assert chat.turn(line)
    assert out.getvalue().count("Your answers are kept") == 2 and flaky._store.list_tickets() == []
    flaky.down = False
    assert chat.turn("bring my dad")
    [tour] = flaky._store.list_tickets()
    assert (tour.contact.name, tour.contact.email, tour.contact.notes) == ("Sam Lee", "sam@example.com", "bring my dad")


def test_a_database_outage_keeps_the_session_and_the_open_offer(conversation):
    flaky = FlakyStore(conversation.desk.store, "create", "undelivered_replies", "for_asker")
    conversation.desk.store = flaky
    out = io.StringIO()
    chat = ConsoleChat(conversation, SAM, out)
    for line in ["zebra quantum", "yes", "tickets"]:
        assert chat.turn(line)
    chat.show_replies()
    assert out.getvalue().count("locked by another program") == 3  # filing, tickets, replies
    flaky.down = False
    assert chat.turn("yes")  # the offer is still open
    [ticket] = flaky._store.list_tickets()
    assert ticket.question == "zebra quantum" and ticket.reason is FiledReason.NO_MATCH


# -- two sessions of one student (issue 11, item 12) ---------------------------------------------


class CheckingMidWrite(io.StringIO):
    """Session A's terminal: while A prints a staff reply, session B checks for replies."""

    def __init__(self, other):
        super().__init__()
        self.other, self.interleaved = other, False

    def write(self, text):
        if "Reply from the admissions team" in text and not self.interleaved:
            self.interleaved = True
            self.other.show_replies()
        return super().write(text)


def _replied(conversation):
    talk(conversation, "zebra quantum", "yes")
    conversation.desk.claim(1, cli_staff("Ana"))
    conversation.desk.reply(1, cli_staff("Ana"), "We'll get back to you about zebras.")


def test_two_sessions_of_one_student_show_a_staff_reply_once(conversation, tmp_path):
    _replied(conversation)
    other_desk = TicketDesk(open_store(str(tmp_path / "q.sqlite3")), clock=lambda: WEDNESDAY_MORNING)
    try:
        other = Conversation(conversation.answerer, other_desk, OfficeHours.parse(), clock=lambda: WEDNESDAY_MORNING)
        out_b = io.StringIO()
        session_b = ConsoleChat(other, SAM, out_b)  # another terminal, another process
        out_a = CheckingMidWrite(session_b)
        ConsoleChat(conversation, SAM, out_a).show_replies()
    finally:
        other_desk.shutdown()
    assert out_a.interleaved
    shown = sorted(out.getvalue().count("about zebras") for out in (out_a, out_b))
    assert shown == [0, 1]
    assert conversation.desk.undelivered_replies(SAM) == []
    [reply] = conversation.desk.ticket(1).replies
    assert [e.action for e in conversation.desk.ticket(1).events].count("reply_delivered") == 1
    assert reply.delivered_at is not None


def test_a_reply_that_could_not_be_printed_is_shown_next_time(conversation):
    _replied(conversation)

    class ClosedTerminal(io.StringIO):
        def write(self, text):
            if "about zebras" in text:
                raise BrokenPipeError("the terminal went away")
            return super().write(text)

    with pytest.raises(BrokenPipeError):
        ConsoleChat(conversation, SAM, ClosedTerminal()).show_replies()
    assert "about zebras" in talk(conversation)  # not lost: the next session shows it ...
    assert "about zebras" not in talk(conversation)  # ... once
