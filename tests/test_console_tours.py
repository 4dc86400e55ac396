"""Booking a campus tour by slot in the console, and the tour dialogue behind it, with a fake clock (issue 14)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from faq_fixtures import write_faq

from admissionsbot.adapters.console import ConsoleChat
from admissionsbot.core.answering import Answerer
from admissionsbot.core.conversation import Conversation
from admissionsbot.core.desk import TicketDesk
from admissionsbot.core.knowledge import load_knowledge
from admissionsbot.core.models import Asker, TicketKind, TicketStatus
from admissionsbot.core.outcomes import ChooseSlot, OpenBookingForm, OpenTourForm, Pending, Refused, TourBooked
from admissionsbot.core.staff import cli_staff
from admissionsbot.core.tours import BookingDetails, BookingStatus, TourRules
from admissionsbot.storage import open_store

SAM = Asker("console", "sam", "Sam", "console", private=True)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # Tuesday, 10:00 in Berlin


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def conversation(tmp_path, clock):
    desk = TicketDesk(open_store(str(tmp_path / "q.sqlite3")), clock=clock)
    answerer = Answerer(load_knowledge(write_faq(tmp_path / "faq")))
    yield Conversation(answerer, desk, clock=clock, tour_rules=TourRules.parse("Europe/Berlin", 14, 24))
    desk.shutdown()


def talk(conversation, *lines, who=SAM):
    out = io.StringIO()
    ConsoleChat(conversation, who, out).run(list(lines))
    return out.getvalue()


def slots(conversation):
    tours = conversation.tours.tours
    return (tours.add_slot("2026-12-08T14:00", 3, note="Meet at reception"), tours.add_slot("2026-12-09T10:00", 5))


def test_tour_lists_the_open_times_and_books_one_with_the_form(conversation):
    first, second = slots(conversation)
    out = talk(conversation, "tour", "1", "Sam", "not-an-email", "sam@example.com", "12", "2", "no")
    assert "1. Tue 8 Dec 2026, 14:00–15:00 CET (3 places left) - Meet at reception" in out
    assert "2. Wed 9 Dec 2026, 10:00–11:00 CET (5 places left)" in out
    assert "0. None of these times" in out
    assert "doesn't look like an email address" in out and "from 1 to 10" in out
    assert "Booked! Your campus tour is on Tue 8 Dec 2026, 14:00–15:00 CET for 2 visitors (ticket #1)" in out
    assert "I'll remind you 24 hours before" in out and "type 'cancel 1' or 'move 1'" in out
    [ticket] = conversation.desk.tickets()
    assert ticket.kind is TicketKind.TOUR and ticket.contact.email == "sam@example.com"
    assert conversation.tours.tours.slot(first.id).booked == 2


def test_none_of_these_times_is_the_free_text_request(conversation):
    slots(conversation)
    out = talk(conversation, "tour", "0", "Sam", "sam@example.com", "weekends", "no")
    assert "Tell us which dates and times would suit you" in out
    [ticket] = conversation.desk.tickets()
    assert ticket.contact.preferred_times == "weekends"
    assert conversation.tours.tours.bookings_for(SAM) == []


def test_without_open_times_the_request_form_is_as_before(conversation):
    out = talk(conversation, "tour", "Sam", "sam@example.com", "weekends", "no")
    assert "Let's book your campus tour" in out and "Your tour request is with the admissions team" in out


def test_a_number_out_of_range_keeps_the_list_open(conversation):
    slots(conversation)
    out = talk(conversation, "tour", "7", "2", "cancel")
    assert "Please type a number from 0 to 2." in out
    assert "Let's book the tour on Wed 9 Dec 2026" in out
    assert "OK, tour request cancelled" in out and conversation.desk.tickets() == []


def test_tickets_lists_bookings_and_cancel_and_move_act_on_them(conversation):
    first, second = slots(conversation)
    talk(conversation, "tour", "1", "Sam", "sam@example.com", "1", "no")
    out = talk(conversation, "tickets", "move 1", "1", "tickets")
    assert "Your upcoming campus tours:" in out and "tour #1: Tue 8 Dec 2026, 14:00–15:00 CET" in out
    assert "Pick the new time:" in out and "0. Keep my booking as it is" in out
    assert "Moved! Your campus tour is on Wed 9 Dec 2026, 10:00–11:00 CET" in out
    assert "tour #1: Wed 9 Dec 2026" in out
    tours = conversation.tours.tours
    assert (tours.slot(first.id).booked, tours.slot(second.id).booked) == (0, 1)
    out = talk(conversation, "cancel 1", "cancel 1")
    assert "Your campus tour on Wed 9 Dec 2026, 10:00–11:00 CET is cancelled (ticket #1)" in out
    assert "already cancelled" in out
    assert tours.slot(second.id).booked == 0 and conversation.desk.ticket(1).status is TicketStatus.CLOSED
    assert "You have no upcoming tour booking #9" in talk(conversation, "move 9")
    assert "You have no tour booking #1" in talk(conversation, "cancel 1", who=Asker("console", "eve", "Eve"))


def test_a_time_that_fills_up_during_the_form_offers_the_others_and_keeps_the_answers(conversation):
    first, second = slots(conversation)
    chat = ConsoleChat(conversation, SAM, out := io.StringIO())
    for line in ("tour", "1", "Sam", "sam@example.com", "2"):
        chat.turn(line)
    conversation.tours.tours.book(Asker("console", "al", "Al"), first.id, BookingDetails("Al", "al@example.com", "2"))
    chat.turn("no")  # the last answer: the time has one place left now, not two
    chat.turn("1")  # the other time (the only one with room for two): booked with the answers already given
    text = out.getvalue()
    assert "has only 1 place left, not enough for 2 visitors" in text
    assert "Booking the tour on Wed 9 Dec 2026, 10:00–11:00 CET with the details you gave." in text
    assert conversation.tours.tours.slot(second.id).booked == 2 and conversation.tours.tours.slot(first.id).booked == 2


def test_reminders_and_cancellations_show_once_in_the_next_chat(conversation, clock):
    first, second = slots(conversation)
    talk(conversation, "tour", "1", "Sam", "sam@example.com", "1", "no")
    clock.at = first.starts_at - timedelta(hours=23)
    shown = talk(conversation)
    assert "Reminder: your campus tour is on Tue 8 Dec 2026, 14:00–15:00 CET (ticket #1)" in shown
    assert "Reminder" not in talk(conversation)  # once
    clock.at = NOW
    talk(conversation, "tour", "2", "Sam", "sam@example.com", "1", "no")
    conversation.tours.tours.cancel_slot(second.id, cli_staff("ada"), "snow")
    shown = talk(conversation)
    assert "the campus tour on Wed 9 Dec 2026, 10:00–11:00 CET was cancelled (snow)" in shown
    assert "cancelled" not in talk(conversation)


# -- the dialogue itself ------------------------------------------------------------------------------
def test_the_dialogue_outcomes_step_by_step(conversation, clock):
    first, second = slots(conversation)
    offer = conversation.request_tour(SAM)
    assert isinstance(offer, ChooseSlot) and [s.id for s in offer.slots] == [first.id, second.id]
    assert isinstance(conversation.say(SAM, "1", Pending(slots=offer.slots)), OpenBookingForm)
    assert isinstance(conversation.say(SAM, "none", Pending(slots=offer.slots)), OpenTourForm)
    booked = conversation.tours.book(SAM, first.id, BookingDetails("Sam", "sam@example.com", "3"))
    assert isinstance(booked, TourBooked) and booked.booking.status is BookingStatus.BOOKED
    again = conversation.tours.book(SAM, first.id, BookingDetails("Sam", "sam@example.com", "1"))
    assert isinstance(again, Refused) and "already booked" in again.reason
    full = conversation.tours.pick(Asker("console", "al", "Al"), first.id)
    assert isinstance(full, ChooseSlot) and "is full now" in full.intro and [s.id for s in full.slots] == [second.id]
    clock.at = second.starts_at  # every time has started: the free-text request is all that is left
    late = conversation.tours.pick(Asker("console", "al", "Al"), second.id)
    assert isinstance(late, OpenTourForm) and "No other times are open" in late.intro
    assert isinstance(conversation.request_tour(SAM), OpenTourForm)


def test_a_booking_counts_as_a_tour_requested_in_the_figures(tmp_path, clock):
    from admissionsbot.core.records import TurnKind, TurnOutcome
    from admissionsbot.core.turns import TurnLog

    desk = TicketDesk(open_store(str(tmp_path / "turns.sqlite3")), clock=clock)
    conversation = Conversation(Answerer(load_knowledge(write_faq(tmp_path / "faq2"))), desk, clock=clock,
                                turn_log=TurnLog(desk.store, clock), tour_rules=TourRules.parse("Europe/Berlin"))
    try:
        slots(conversation)
        talk(conversation, "tour", "1", "Sam", "sam@example.com", "2", "no")
        turns = desk.store.turns_since()
        booked = [t for t in turns if t.kind is TurnKind.TOUR_SUBMIT]
        assert [(t.outcome, t.ticket_kind, t.ticket_number) for t in booked] == [
            (TurnOutcome.FILED, TicketKind.TOUR, 1)]
        assert [t.kind for t in turns][:2] == [TurnKind.TOUR_REQUEST, TurnKind.TOUR_REQUEST]  # asked, then picked
    finally:
        desk.shutdown()


def test_the_open_ticket_cap_is_checked_before_the_form(conversation):
    conversation.desk.max_live_tickets_per_asker = 1
    first, _ = slots(conversation)
    conversation.tours.book(SAM, first.id, BookingDetails("Sam", "sam@example.com", "1"))
    assert isinstance(conversation.request_tour(SAM), Refused)
    assert isinstance(conversation.tours.pick(SAM, first.id), Refused)
