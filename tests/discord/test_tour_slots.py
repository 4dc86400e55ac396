"""Campus tours by slot on Discord (issue 14), through the harness: real discord.py objects, recorded HTTP.

Students: /tour shows the open times (embed with Discord timestamps, a select
menu, "None of these times"); a pick opens the booking form; the booking is
confirmed at once with Cancel / Move, staff get the card; a time that fills up
meanwhile is said so with the others; /mytickets cancels and moves. Staff:
/tours add|list|show|cancel. The leader's pass DMs reminders and cancellation
notices once, across a restart too.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import WEDNESDAY_MORNING
from discord import app_commands
from harness import (
    HELP_CHANNEL_ID,
    OTHER,
    STAFF,
    STAFF_CHANNEL_ID,
    STAFF_ROLE_ID,
    STUDENT,
    STUDENT_ID,
    STUDENT_ROLE_ID,
    Harness,
    buttons,
    forbidden,
    text_of,
)
from test_tour import public_bodies

from admissionsbot.bootstrap import Assistant, build_assistant
from admissionsbot.config import Settings
from admissionsbot.core.models import Asker, TicketKind, TicketStatus
from admissionsbot.core.staff import cli_staff
from admissionsbot.core.tours import BookingDetails, BookingStatus, TourSlot

ADA = cli_staff("ada")
FORM = {"Your name": "Robin Example", "Email": "robin@example.com", "Number of visitors (you included)": "2",
        "Notes (optional)": "Coming with a parent"}


class Clock:
    """The service's clock, moved by the tests (reminders fall due, tours start)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock(WEDNESDAY_MORNING)  # Wednesday 1 May 2024, 10:00 UTC = 12:00 in Berlin


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # the staff role's reminders about unclaimed tickets (issue 13) are off: these tests move the clock by days
    return replace(settings, timezone="Europe/Berlin", tour_days_ahead=14, tour_reminder_hours=24,
                   remind_unclaimed_minutes=0)


@pytest.fixture
def service(settings: Settings, clock: Clock) -> Any:
    assistant = build_assistant(settings, clock=clock)
    yield assistant
    assistant.shutdown()


def add(service: Assistant, when: str, capacity: int = 6, **kw: Any) -> TourSlot:
    return service.conversation.tours.tours.add_slot(when, capacity, **kw)


def selects(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in body.get("components") or [] for c in row.get("components", []) if c.get("type") == 3]


def stamp(slot: TourSlot) -> str:
    return f"<t:{int(slot.starts_at.timestamp())}:F>"


async def choose(harness: Harness, message: dict[str, Any], value: int, *, custom_id: str = "admissionsbot:slots",
                 who: dict[str, Any] | None = None, roles: tuple[int, ...] = (STUDENT_ROLE_ID,)) -> str:
    """Pick an option of a recorded message's select menu (as Discord sends a select: component type 3)."""
    [menu] = [s for s in selects(message) if s["custom_id"] == custom_id]
    assert str(value) in [o["value"] for o in menu["options"]], menu["options"]
    channel_id = int(message["channel_id"])
    dm = channel_id in harness.rec.dm_channels
    data = {"custom_id": custom_id, "component_type": 3, "values": [str(value)]}
    payload = harness._interaction(3, data, who=who or STUDENT, roles=() if dm else roles,
                                   channel_id=channel_id, dm=dm, message=message)
    return await harness.feed_interaction(payload)


async def book(harness: Harness, slot: TourSlot, form: dict[str, str] = FORM) -> str:
    """/tour, pick `slot`, send the form: the token of the form's submission."""
    [times] = harness.messages_for(await harness.slash("tour"))
    modal = harness.modal_from(await choose(harness, times, slot.id))
    return await harness.submit_modal(modal, form)


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


# -- staff --------------------------------------------------------------------------------------------
async def staff(harness: Harness, sub: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    token = await harness.slash("tours", options, sub=sub, who=STAFF, roles=(STAFF_ROLE_ID,),
                                channel_id=STAFF_CHANNEL_ID)
    [answer] = harness.rec.followups(token)
    assert answer["flags"] & 64
    return answer


async def test_staff_publish_list_and_read_the_roster(harness: Harness):
    answer = await staff(harness, "add", {"when": "2024-05-03 14:00", "capacity": 4, "note": "Studio B"})
    [slot] = harness.service.conversation.tours.tours.slots()
    assert slot.starts_at == datetime(2024, 5, 3, 12, 0, tzinfo=slot.starts_at.tzinfo)  # 14:00 CEST
    assert f"#{slot.id}" in answer["content"] and stamp(slot) in answer["content"]
    assert "does not exist" in (await staff(harness, "add", {"when": "2024-03-31 02:30", "capacity": 4}))["content"]
    await book(harness, slot)
    listing = text_of(await staff(harness, "list"))
    assert f"#{slot.id}" in listing and "2/4 booked" in listing and "Studio B" in listing
    roster = text_of(await staff(harness, "show", {"slot": slot.id}))
    assert "Robin Example <robin@example.com>" in roster and "Coming with a parent" in roster


async def test_students_cannot_use_tours(harness: Harness):
    token = await harness.slash("tours", {"when": "2024-05-03 14:00", "capacity": 4}, sub="add")
    assert "Only the admissions team" in harness.rec.replies_to(token)[0]["content"]
    assert harness.service.conversation.tours.tours.slots() == []


async def test_cancelling_a_slot_tells_each_booked_student_once_with_the_other_times(harness: Harness):
    service = harness.service
    slot, other = add(service, "2024-05-03T14:00"), add(service, "2024-05-04T10:00")
    await book(harness, slot)
    [ticket] = service.desk.tickets()
    answer = await staff(harness, "cancel", {"slot": slot.id, "reason": "The studio is flooded"})
    assert "1 booked student(s) will be told" in answer["content"]
    [dm] = harness.rec.dms()
    assert dm.json["nonce"] == f"n{ticket.number}.{slot.id}.c"
    text = text_of(dm.json)
    assert "cancelled" in text and "The studio is flooded" in text and stamp(other) in text
    assert [o["value"] for s in selects(dm.json) for o in s["options"]] == [str(other.id)]
    assert service.desk.ticket(ticket.number).status is TicketStatus.CLOSED
    assert await harness.bot.tour_messenger.send_due() == 0  # once
    await harness.restart()
    await harness.bot.tour_messenger.send_due()
    assert len(harness.rec.dms()) == 1  # not again after a restart
    token = await choose(harness, dm.response, other.id)  # book again from the DM's menu
    assert harness.modal_from(token)["title"].startswith("Book the tour")


async def test_a_reminder_goes_once_before_the_tour_even_across_a_restart(harness: Harness, clock: Clock):
    slot = add(harness.service, "2024-05-03T14:00")
    await book(harness, slot)
    [ticket] = harness.service.desk.tickets()
    messenger = harness.bot.tour_messenger
    assert await messenger.send_due() == 0  # two days ahead: not yet
    clock.at = slot.starts_at - timedelta(hours=24)
    assert await messenger.send_due() == 1
    [dm] = harness.rec.dms()
    assert dm.json["nonce"] == f"n{ticket.number}.{slot.id}.r"
    assert "Reminder" in text_of(dm.json) and stamp(slot) in text_of(dm.json)
    assert await messenger.send_due() == 0
    await harness.restart()  # the new process's first pass finds nothing to send
    await harness.settle()
    assert await harness.bot.tour_messenger.send_due() == 0
    assert len(harness.rec.dms()) == 1


@pytest.mark.allow_errors
async def test_a_reminder_to_closed_dms_is_retried_and_staff_hear_once(harness: Harness, clock: Clock):
    slot = add(harness.service, "2024-05-03T14:00")
    await book(harness, slot)
    clock.at = slot.starts_at - timedelta(hours=2)
    harness.rec.fail(lambda c: c.channel_id is not None and c.channel_id in harness.rec.dm_channels
                     and c.method == "POST", forbidden, times=2)
    harness.bot.settings = replace(harness.bot.settings, retry_interval_seconds=0.01)  # back-off of 0.01 s
    messenger = harness.bot.tour_messenger
    assert await messenger.send_due() == 0
    notes = [c.json["content"] for c in harness.staff_posts() if c.json.get("content")]
    assert len([n for n in notes if "could not be sent" in n]) == 1
    await asyncio.sleep(0.05)
    assert await messenger.send_due() == 0  # failed again: staff are not told twice
    await asyncio.sleep(0.1)
    assert await messenger.send_due() == 1
    notes = [c.json["content"] for c in harness.staff_posts() if c.json.get("content")]
    assert len([n for n in notes if "could not be sent" in n]) == 1


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


def test_the_tours_commands_are_staff_only_and_named(harness: Harness):
    group = harness.bot.tree.get_command("tours")
    assert isinstance(group, app_commands.Group) and group.guild_only
    assert sorted(c.name for c in group.commands) == ["add", "cancel", "list", "show"]
    assert group.default_permissions is not None and group.default_permissions.manage_messages


async def test_only_the_leading_process_sends_tour_notices(service: Any, settings: Settings, recorder: Any):
    """A process that does not lead cancels the slot but sends nothing; the leader it becomes sends, once."""
    from admissionsbot.adapters.leadership import LEADER

    service.desk.acquire_lease(LEADER, "other-process", 60)  # another process leads
    harness = Harness(service, replace(settings, standby_takeover_seconds=0.5), recorder)
    await harness.start()
    try:
        slot = add(service, "2024-05-03T14:00")
        other = add(service, "2024-05-04T10:00")
        await book(harness, slot)
        assert not harness.bot.leadership.leading()
        await staff(harness, "cancel", {"slot": slot.id})
        assert harness.rec.dms() == []  # not the leader: it leaves the notice to the leader
        assert not harness.bot.get_cog("Background").tour_notices.is_running()
        service.desk.release_lease(LEADER, "other-process")  # the leader stopped: this process takes over
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while not harness.rec.dms():
            assert loop.time() < deadline, "the new leader did not send the notice"
            await asyncio.sleep(0.02)
        [dm] = harness.rec.dms()
        assert stamp(other) in text_of(dm.json)
    finally:
        await harness.stop()
