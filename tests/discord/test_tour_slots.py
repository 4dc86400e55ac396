"""Campus tours by slot on Discord, the student side (issue 14): real discord.py objects, recorded HTTP.

/tour shows the open times (an embed with Discord timestamps, a select menu,
"None of these times"); a pick opens the booking form; the booking is
confirmed at once with Cancel / Move and staff get the card; a time that fills
up meanwhile is said so with the others; /mytickets cancels and moves.
Staff and notices: test_tour_staff.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from conftest import WEDNESDAY_MORNING
from harness import HELP_CHANNEL_ID, OTHER, STUDENT_ID, Harness, buttons, text_of
from test_tour import public_bodies
from tour_support import ADA, FORM, Clock, add, assistant, berlin, book, choose, selects, stamp

from admissionsbot.bootstrap import Assistant
from admissionsbot.config import Settings
from admissionsbot.core.models import Asker, TicketKind, TicketStatus
from admissionsbot.core.tours import BookingDetails, BookingStatus


@pytest.fixture
def clock() -> Clock:
    return Clock(WEDNESDAY_MORNING)  # Wednesday 1 May 2024, 10:00 UTC = 12:00 in Berlin


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return berlin(settings)


@pytest.fixture
def service(settings: Settings, clock: Clock) -> Iterator[Assistant]:
    yield from assistant(settings, clock)


# -- students ------------------------------------------------------------------------------------
async def test_tour_shows_the_open_times_with_timestamps_a_menu_and_none_of_these(harness: Harness, clock: Clock):
    service = harness.service
    soon = add(service, "2024-05-03T14:00", note="Meet at reception")
    later = add(service, "2024-05-02T10:00", 2)
    clock.at = WEDNESDAY_MORNING - timedelta(hours=3)
    add(service, "2024-05-01T11:00")  # published earlier, started an hour ago (12:00 in Berlin now): never offered
    clock.at = WEDNESDAY_MORNING
    add(service, "2024-05-30T10:00")  # beyond tour_days_ahead
    full = add(service, "2024-05-04T10:00", 1)
    service.conversation.tours.tours.book(Asker("discord", "77", "Al"), full.id, BookingDetails("Al", "al@example.com"))
    cancelled = add(service, "2024-05-05T10:00")
    service.conversation.tours.tours.cancel_slot(cancelled.id, ADA)

    token = await harness.slash("tour")
    [times] = harness.messages_for(token)
    assert times["flags"] & 64  # only the student sees it
    text = text_of(times)
    assert stamp(soon) in text and stamp(later) in text and "Fri 3 May 2024, 14:00–15:00 CEST" in text
    assert "Meet at reception" in text and "Europe/Berlin" in text
    [menu] = selects(times)
    assert menu["custom_id"] == "admissionsbot:slots"
    assert [o["value"] for o in menu["options"]] == [str(later.id), str(soon.id)]  # soonest first; nothing else
    assert menu["options"][0]["label"] == "Thu 2 May, 10:00–11:00 CEST"
    assert menu["options"][0]["description"] == "2 places left"
    assert [b["label"] for b in buttons(times)] == ["None of these times"]
    assert [t.asker.user_id for t in service.desk.tickets()] == ["77"]  # nothing is filed before the form is sent


async def test_picking_a_time_opens_the_form_and_books_at_once(harness: Harness):
    service = harness.service
    slot = add(service, "2024-05-03T14:00", 6, note="Meet at reception")
    [times] = harness.messages_for(await harness.slash("tour"))
    modal = harness.modal_from(await choose(harness, times, slot.id))
    assert modal["title"] == "Book the tour: Fri 3 May, 14:00"
    assert [c["label"] for row in modal["components"] for c in row["components"]] == list(FORM)
    token = await harness.submit_modal(modal, FORM)

    [ticket] = service.desk.tickets()
    assert ticket.kind is TicketKind.TOUR and ticket.status is TicketStatus.OPEN
    assert ticket.contact is not None and ticket.contact.email == "robin@example.com"
    assert ticket.contact.preferred_times == f"slot #{slot.id}: Fri 3 May 2024, 14:00–15:00 CEST; 2 visitors"
    assert service.conversation.tours.tours.slot(slot.id).booked == 2
    [confirmation] = harness.rec.followups(token)
    assert confirmation["flags"] & 64
    text = text_of(confirmation)
    assert stamp(slot) in text and f"#{ticket.number}" in text and "2 visitors" in text
    assert "Meet at reception" in text and "reminder" in text
    assert [(b["label"], b["custom_id"]) for b in buttons(confirmation)] == [
        (f"Cancel tour #{ticket.number}", f"admissionsbot:booking:cancel:{ticket.number}"),
        (f"Move tour #{ticket.number}", f"admissionsbot:booking:move:{ticket.number}")]
    card = harness.staff_card(ticket.number)  # staff get the booking like any ticket
    details = {f["name"]: f["value"] for f in card["embeds"][0]["fields"]}["Tour details"]
    assert "robin@example.com" in details and f"slot #{slot.id}" in details and "2 visitors" in details


async def test_a_bad_form_is_refused_with_what_was_typed_and_a_button_to_fix_it(harness: Harness):
    slot = add(harness.service, "2024-05-03T14:00")
    token = await book(harness, slot, dict(FORM, **{"Number of visitors (you included)": "40"}))
    [error] = harness.rec.followups(token)
    assert "number of visitors must be a whole number from 1 to 10" in error["content"]
    assert "robin@example.com" in error["content"]
    [fix] = buttons(error)
    [message] = harness.messages_for(token)
    modal = harness.modal_from(await harness.click(message, fix["custom_id"]))
    values = {c["label"]: c.get("value") for row in modal["components"] for c in row["components"]}
    assert values["Email"] == "robin@example.com" and values["Number of visitors (you included)"] == "40"
    await harness.submit_modal(modal, FORM)
    assert harness.service.conversation.tours.tours.slot(slot.id).booked == 2


async def test_a_time_that_fills_up_during_the_form_is_said_so_with_the_others(harness: Harness):
    service = harness.service
    last = add(service, "2024-05-03T14:00", 2)
    other = add(service, "2024-05-04T14:00", 6)
    [times] = harness.messages_for(await harness.slash("tour"))
    modal = harness.modal_from(await choose(harness, times, last.id))
    service.conversation.tours.tours.book(Asker("discord", "77", "Al"), last.id,
                                          BookingDetails("Al", "a@example.com", "2"))
    token = await harness.submit_modal(modal, FORM)  # the last places went meanwhile
    [full] = harness.rec.followups(token)
    assert "is full now" in text_of(full) and stamp(other) in text_of(full) and stamp(last) not in text_of(full)
    [menu] = selects(full)
    assert [o["value"] for o in menu["options"]] == [str(other.id)]
    [message] = harness.messages_for(token)
    modal = harness.modal_from(await choose(harness, message, other.id, custom_id=menu["custom_id"]))
    values = {c["label"]: c.get("value") for row in modal["components"] for c in row["components"]}
    assert values["Email"] == "robin@example.com"  # what was typed is not lost
    await harness.submit_modal(modal, FORM)
    [mine] = [t for t in service.desk.tickets() if t.asker.user_id == str(STUDENT_ID)]
    assert service.conversation.tours.tours.booking(mine.number).slot.id == other.id
    assert service.conversation.tours.tours.slot(last.id).booked == 2  # never over capacity


async def test_none_of_these_times_is_the_free_text_request(harness: Harness):
    add(harness.service, "2024-05-03T14:00")
    [times] = harness.messages_for(await harness.slash("tour"))
    modal = harness.modal_from(await harness.click(times, "admissionsbot:slots:none"))
    assert modal["title"] == "Book a campus tour"  # today's request form
    await harness.submit_modal(modal, {"Your name": "Robin", "Email": "robin@example.com",
                                       "Preferred dates/times": "Saturdays", "Notes (optional)": ""})
    [ticket] = harness.service.desk.tickets()
    assert ticket.kind is TicketKind.TOUR and ticket.contact is not None
    assert ticket.contact.preferred_times == "Saturdays"


async def test_a_tour_question_in_a_help_channel_shows_the_times_to_pick_from(harness: Harness):
    slot = add(harness.service, "2024-05-03T14:00")
    await harness.say("Can I book a campus tour?")
    [reply] = harness.replies_in(HELP_CHANNEL_ID)
    assert stamp(slot) in text_of(reply) and selects(reply)
    assert reply["embeds"][0]["footer"]["text"] == "You asked: Can I book a campus tour?"
    modal = harness.modal_from(await choose(harness, reply, slot.id))
    await harness.submit_modal(modal, FORM)
    [ticket] = harness.service.desk.tickets()
    assert ticket.question == "Can I book a campus tour?"  # the student's words go with the booking
    token = await choose(harness, reply, slot.id, who=OTHER, roles=())  # another member books for themselves
    assert harness.modal_from(token)["title"].startswith("Book the tour")


async def test_mytickets_cancels_and_moves_a_booking(harness: Harness):
    service = harness.service
    first, second = add(service, "2024-05-03T14:00", 6), add(service, "2024-05-04T10:00", 3)
    await book(harness, first)
    [ticket] = service.desk.tickets()
    token = await harness.slash("mytickets")
    [listing] = [m for m in harness.messages_for(token) if any(b["custom_id"].startswith("admissionsbot:booking")
                                                              for b in buttons(m))]
    assert stamp(first) in text_of(listing)
    moving = harness.messages_for(await harness.click(listing, f"admissionsbot:booking:move:{ticket.number}"))[-1]
    [menu] = selects(moving)
    assert menu["custom_id"] == f"admissionsbot:slots:move:{ticket.number}" and not buttons(moving)
    token = await choose(harness, moving, second.id, custom_id=menu["custom_id"])
    [moved] = harness.messages_for(token)
    assert "moved" in text_of(moved) and stamp(second) in text_of(moved)
    tours = service.conversation.tours.tours
    assert (tours.slot(first.id).booked, tours.slot(second.id).booked) == (0, 2)
    note = harness.staff_posts()[-1].json["content"]
    assert f"Ticket #{ticket.number}" in note and "moved" in note and stamp(second) in note
    card = harness.staff_card(ticket.number)
    assert f"slot #{second.id}" in text_of(card)  # the card shows the new time

    token = await harness.click(listing, f"admissionsbot:booking:cancel:{ticket.number}")
    [done] = harness.messages_for(token)
    assert "cancelled" in done["content"] and done["flags"] & 64
    assert tours.slot(second.id).booked == 0 and service.desk.ticket(ticket.number).status is TicketStatus.CLOSED
    assert "cancelled their tour" in harness.staff_posts()[-1].json["content"]
    token = await harness.click(listing, f"admissionsbot:booking:cancel:{ticket.number}")  # twice: said so
    assert "already cancelled" in harness.messages_for(token)[0]["content"]


async def test_another_member_cannot_cancel_my_booking(harness: Harness):
    slot = add(harness.service, "2024-05-03T14:00")
    token = await book(harness, slot)
    [confirmation] = harness.messages_for(token)
    [ticket] = harness.service.desk.tickets()
    token = await harness.click(confirmation, f"admissionsbot:booking:cancel:{ticket.number}", who=OTHER, roles=())
    assert "no tour booking" in harness.messages_for(token)[0]["content"]
    assert harness.service.conversation.tours.tours.booking(ticket.number).status is BookingStatus.BOOKED


async def test_a_slow_pick_defers_and_a_button_opens_the_form(harness: Harness, monkeypatch: pytest.MonkeyPatch):
    """A form can only be the first answer: when the pick had to be deferred, a button opens it."""
    from admissionsbot.adapters.discord import answers

    slot = add(harness.service, "2024-05-03T14:00")
    [times] = harness.messages_for(await harness.slash("tour"))
    pick = harness.service.conversation.tours.pick

    def slow(*args: Any) -> Any:
        time.sleep(0.2)
        return pick(*args)

    monkeypatch.setattr(harness.service.conversation.tours, "pick", slow)
    monkeypatch.setattr(answers, "DEFER_AFTER_SECONDS", 0.05)
    token = await choose(harness, times, slot.id)
    assert [c["type"] for c in harness.rec.callbacks(token)] == [5]  # deferred: no modal possible
    [offer] = harness.messages_for(token)
    assert stamp(slot) in offer["content"] and [b["custom_id"] for b in buttons(offer)] == [
        f"admissionsbot:book:{slot.id}"]
    monkeypatch.setattr(harness.service.conversation.tours, "pick", pick)
    modal = harness.modal_from(await harness.click(offer, f"admissionsbot:book:{slot.id}"))
    await harness.submit_modal(modal, FORM)
    assert harness.service.conversation.tours.tours.slot(slot.id).booked == 2


async def test_contact_details_never_appear_in_a_public_message(harness: Harness):
    slot = add(harness.service, "2024-05-03T14:00")
    await harness.say("Can I book a campus tour?")
    [reply] = harness.replies_in(HELP_CHANNEL_ID)
    await harness.submit_modal(harness.modal_from(await choose(harness, reply, slot.id)), FORM)
    assert harness.service.desk.tickets()
    for body in public_bodies(harness):
        assert "robin@example.com" not in text_of(body) and "Robin Example" not in text_of(body)
