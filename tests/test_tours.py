"""Campus tour slot rules (core/tours.py), pure: a fake clock, time zones and daylight saving (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from admissionsbot.core.errors import InvalidInput
from admissionsbot.core.limits import TOUR_SLOTS_SHOWN
from admissionsbot.core.tours import (
    BookingDetails,
    NewTourSlot,
    TourRules,
    TourSlot,
    bookable,
    booking_details,
    check_booking,
    check_new_slot,
    offered,
    parse_local_time,
    remind_at,
    require_visitors,
    slot_when,
    unavailable_reason,
)

BERLIN = ZoneInfo("Europe/Berlin")
LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
RULES = TourRules(BERLIN, days_ahead=14, reminder_hours=24)


def slot(start: datetime, capacity: int = 6, booked: int = 0, slot_id: int = 1, **kw: object) -> TourSlot:
    return TourSlot(slot_id, start, 60, capacity, booked, **kw)  # type: ignore[arg-type]


# -- reading the time staff type -------------------------------------------------------------------
def test_a_local_time_is_read_in_the_schools_zone_winter_and_summer():
    assert parse_local_time("2026-12-08T14:00", BERLIN) == datetime(2026, 12, 8, 13, 0, tzinfo=UTC)  # CET +1
    assert parse_local_time("2026-07-08 14:00", BERLIN) == datetime(2026, 7, 8, 12, 0, tzinfo=UTC)  # CEST +2
    assert parse_local_time("2026-07-08T14:00", LA) == datetime(2026, 7, 8, 21, 0, tzinfo=UTC)  # PDT -7
    assert parse_local_time(" 2026-12-08T14:00+00:00 ", BERLIN) == datetime(2026, 12, 8, 14, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_is_refused():
    with pytest.raises(InvalidInput, match="does not exist in Europe/Berlin: the clocks go forward"):
        parse_local_time("2026-03-29T02:30", BERLIN)
    with pytest.raises(InvalidInput, match="does not exist in America/Los_Angeles"):
        parse_local_time("2026-03-08T02:30", LA)


def test_a_time_that_happens_twice_needs_its_offset():
    with pytest.raises(InvalidInput, match=r"happens twice .* 2026-10-25T02:30\+02:00 or 2026-10-25T02:30\+01:00"):
        parse_local_time("2026-10-25T02:30", BERLIN)
    first = parse_local_time("2026-10-25T02:30+02:00", BERLIN)
    second = parse_local_time("2026-10-25T02:30+01:00", BERLIN)
    assert second - first == timedelta(hours=1)
    assert slot_when(slot(first), BERLIN) == "Sun 25 Oct 2026, 02:30 CEST–02:30 CET"  # the clocks go back during it
    assert slot_when(slot(second), BERLIN) == "Sun 25 Oct 2026, 02:30–03:30 CET"


@pytest.mark.parametrize("text", ["tomorrow at 2", "2026-12-08", "2026-13-08T14:00", "", "14:00", "x" * 80])
def test_what_is_not_a_date_and_time_says_how_to_write_one(text: str):
    with pytest.raises(InvalidInput, match="write it like 2026-12-08T14:00"):
        parse_local_time(text, BERLIN)


def test_a_slot_reads_in_the_schools_time_either_side_of_the_clock_change():
    before = slot(parse_local_time("2026-03-28T14:00", BERLIN))
    after = slot(parse_local_time("2026-03-30T14:00", BERLIN))
    assert slot_when(before, BERLIN) == "Sat 28 Mar 2026, 14:00–15:00 CET"
    assert slot_when(after, BERLIN) == "Mon 30 Mar 2026, 14:00–15:00 CEST"
    assert after.starts_at - before.starts_at == timedelta(hours=47)  # one hour of the 48 went with the clocks
    assert slot_when(after, BERLIN, year=False) == "Mon 30 Mar, 14:00–15:00 CEST"
    assert booking_details(after, 2, BERLIN) == "slot #1: Mon 30 Mar 2026, 14:00–15:00 CEST; 2 visitors"


# -- which slots a student is offered ----------------------------------------------------------------
def test_past_started_full_cancelled_and_far_slots_are_never_offered():
    slots = [
        slot(NOW - timedelta(days=1), slot_id=1),  # past
        slot(NOW, slot_id=2),  # starts this very moment
        slot(NOW + timedelta(hours=1), capacity=3, booked=3, slot_id=3),  # full
        slot(NOW + timedelta(hours=2), slot_id=4, cancelled_at=NOW),  # cancelled
        slot(NOW + timedelta(days=15), slot_id=5),  # beyond days_ahead
        slot(NOW + timedelta(days=2), capacity=3, booked=2, slot_id=6),  # one place left
        slot(NOW + timedelta(minutes=1), slot_id=7),
        slot(NOW + timedelta(days=14), slot_id=8),  # the last moment of the window
    ]
    assert [s.id for s in offered(slots, NOW, RULES)] == [7, 6, 8]
    assert [s.id for s in offered(slots, NOW, RULES, exclude=6)] == [7, 8]
    later = NOW + timedelta(days=3)  # the fake clock moves on: what has started drops out, what came in range shows
    assert [s.id for s in offered(slots, later, RULES)] == [8, 5]


def test_at_most_a_select_menu_of_slots_soonest_first():
    many = [slot(NOW + timedelta(hours=40 - i), slot_id=i) for i in range(40)]
    shown = offered(many, NOW, RULES)
    assert len(shown) == TOUR_SLOTS_SHOWN == 25
    assert [s.starts_at for s in shown] == sorted(s.starts_at for s in shown)
    assert shown[0].id == 39


def test_bookable_needs_enough_places_for_every_visitor():
    s = slot(NOW + timedelta(days=1), capacity=5, booked=3)
    assert bookable(s, NOW, 2) and not bookable(s, NOW, 3)
    assert "only 2 places left, not enough for 3 visitors" in unavailable_reason(s, NOW, 3, BERLIN)
    assert "is full now" in unavailable_reason(slot(s.starts_at, 5, 5), NOW, 1, BERLIN)
    assert "cancelled" in unavailable_reason(slot(s.starts_at, cancelled_at=NOW), NOW, 1, BERLIN)
    assert "already started" in unavailable_reason(s, s.starts_at, 1, BERLIN)


# -- reminders ------------------------------------------------------------------------------------------
def test_the_reminder_is_due_hours_before_unless_booked_inside_that_window_or_turned_off():
    start = NOW + timedelta(days=3)
    assert remind_at(start, NOW, 24) == start - timedelta(hours=24)
    assert remind_at(start, start - timedelta(hours=5), 24) is None  # the confirmation has just said it
    assert remind_at(start, NOW, 0) is None
    assert remind_at(start, NOW, 1.5) == start - timedelta(minutes=90)


def test_a_reminder_over_the_clock_change_is_a_real_24_hours_before():
    start = parse_local_time("2026-03-29T14:00", BERLIN)  # CEST, the day the clocks go forward
    due = remind_at(start, NOW, 24)
    assert due is not None and due.astimezone(BERLIN).strftime("%d %H:%M %Z") == "28 13:00 CET"


# -- what staff and students type ------------------------------------------------------------------
def test_new_slots_are_checked():
    good = NewTourSlot(NOW + timedelta(days=1), 60, 6, "  Meet at reception  ")
    assert check_new_slot(good, NOW).note == "Meet at reception"
    for bad, message in [
        (NewTourSlot(NOW - timedelta(minutes=1), 60, 6), "in the past"),
        (NewTourSlot(NOW + timedelta(days=1), 60, 0), "capacity"),
        (NewTourSlot(NOW + timedelta(days=1), 5, 6), "length"),
        (NewTourSlot(NOW + timedelta(days=1), 60, 6, "x" * 201), "note can be at most 200"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            check_new_slot(bad, NOW)


@pytest.mark.parametrize("text", ["0", "11", "two", "", "-1", "1.5"])
def test_visitors_are_a_whole_number_from_one_to_ten(text: str):
    with pytest.raises(InvalidInput, match="from 1 to 10"):
        require_visitors(text)


def test_the_booking_form_is_checked_and_the_slot_goes_into_the_ticket_details():
    s = slot(NOW + timedelta(days=1))
    contact, visitors = check_booking(BookingDetails(" Robin ", "robin@example.com", " 3 ", "parent"), s, BERLIN)
    assert visitors == 3 and contact.name == "Robin" and contact.notes == "parent"
    assert contact.preferred_times == "slot #1: Sat 21 Mar 2026, 10:00–11:00 CET; 3 visitors"
    with pytest.raises(InvalidInput, match="email"):
        check_booking(BookingDetails("Robin", "robin-at-example", "1"), s, BERLIN)
    with pytest.raises(InvalidInput, match="name"):
        check_booking(BookingDetails("", "robin@example.com", "1"), s, BERLIN)


def test_rules_from_settings():
    assert TourRules.parse("Europe/Berlin", 7, 2).zone is BERLIN
    for args in (("Mars/Olympus", 7, 2), ("UTC", 0, 2), ("UTC", 7, -1), ("UTC", 7, float("nan"))):
        with pytest.raises(InvalidInput):
            TourRules.parse(*args)
