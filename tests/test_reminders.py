"""Reminders with a fake clock: office time, once per interval, never outside office hours, never twice
across a restart (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from admissionsbot.core.desk import TicketDesk
from admissionsbot.core.models import Asker, FiledReason
from admissionsbot.core.office_hours import OfficeHours
from admissionsbot.core.reminders import UNANSWERED, UNCLAIMED, Reminders, office_time
from admissionsbot.core.staff import cli_staff
from admissionsbot.storage import open_store

HOURS = OfficeHours.parse("09:00-17:00", "mon-fri", "UTC")
WED_10 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)  # a Wednesday
SAM = Asker("console", "sam", "Sam")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def world(tmp_path):
    clock = Clock(WED_10)
    desk = TicketDesk(open_store(str(tmp_path / "q.sqlite3")), clock=clock)
    yield clock, desk
    desk.shutdown()


def reminders(desk: TicketDesk, clock: Clock, minutes: float = 60, hours: float = 4) -> Reminders:
    """A fresh instance, as a restarted bot would build it: all its state is in the database."""
    return Reminders(desk.store, HOURS, clock, unclaimed_minutes=minutes, unanswered_hours=hours)


def test_office_time_counts_only_office_hours():
    fri_16 = datetime(2024, 5, 3, 16, 0, tzinfo=UTC)
    assert office_time(HOURS, fri_16, fri_16 + timedelta(days=2, hours=18)) == timedelta(hours=2)  # Fri, Mon 9-10
    assert office_time(HOURS, fri_16, fri_16 + timedelta(days=3)) == timedelta(hours=8)
    assert office_time(HOURS, WED_10, WED_10 - timedelta(hours=1)) == timedelta()
    berlin = OfficeHours.parse("09:00-17:00", "mon-fri", "Europe/Berlin")
    assert office_time(berlin, WED_10, WED_10 + timedelta(hours=10)) == timedelta(hours=5)  # 12:00-17:00 local


def test_an_unclaimed_ticket_is_flagged_once_per_interval_of_office_time(world):
    clock, desk = world
    n = desk.file_question(SAM, "parking?", FiledReason.NO_MATCH).number
    clock.advance(minutes=59)
    assert reminders(desk, clock).take_due() == []
    clock.advance(minutes=1)
    [due] = reminders(desk, clock).take_due()
    assert (due.ticket.number, due.kind, due.waited) == (n, UNCLAIMED, timedelta(hours=1))
    assert reminders(desk, clock).take_due() == []  # a restart, the same minute: not again
    clock.advance(minutes=30)
    assert reminders(desk, clock).take_due() == []  # within the interval
    clock.advance(minutes=30)
    assert [d.ticket.number for d in reminders(desk, clock).take_due()] == [n]  # one more interval: again
    assert desk.ticket(n).reminders == 2


def test_none_outside_office_hours_and_the_night_does_not_count(world):
    clock, desk = world
    clock.now = datetime(2024, 5, 3, 16, 30, tzinfo=UTC)  # Friday 16:30
    n = desk.file_question(SAM, "parking?", FiledReason.NO_MATCH).number
    for hours in (1, 10, 40, 63):  # Friday evening, the night, Sunday, Monday 07:30
        clock.now = datetime(2024, 5, 3, 16, 30, tzinfo=UTC) + timedelta(hours=hours)
        assert reminders(desk, clock).take_due() == [], clock.now
    clock.now = datetime(2024, 5, 6, 9, 29, tzinfo=UTC)  # Monday: 30 + 29 office minutes
    assert reminders(desk, clock).take_due() == []
    clock.advance(minutes=1)
    assert [d.ticket.number for d in reminders(desk, clock).take_due()] == [n]


def test_a_claimed_ticket_without_a_reply_is_flagged_after_the_hours(world):
    clock, desk = world
    n = desk.file_question(SAM, "parking?", FiledReason.NO_MATCH).number
    desk.claim(n, cli_staff("ana"))
    clock.advance(minutes=59)
    assert reminders(desk, clock, hours=1).take_due() == []
    clock.advance(minutes=1)
    [due] = reminders(desk, clock, hours=1).take_due()
    assert due.kind == UNANSWERED and due.ticket.claimed_by == cli_staff("ana")
    desk.reply(n, cli_staff("ana"), "Yes")  # answered: no more reminders
    clock.advance(hours=2)
    assert reminders(desk, clock, hours=1).take_due() == []
    desk.follow_up(SAM, n, "and bikes?")  # the student writes back: unanswered again from now
    clock.advance(minutes=59)
    assert reminders(desk, clock, hours=1).take_due() == []
    clock.advance(minutes=1)
    assert [d.kind for d in reminders(desk, clock, hours=1).take_due()] == [UNANSWERED]


def test_a_failed_post_is_given_back_and_off_means_off(world):
    clock, desk = world
    desk.file_question(SAM, "parking?", FiledReason.NO_MATCH)
    clock.advance(hours=2)
    first = reminders(desk, clock)
    taken = first.take_due()
    first.give_back(taken)  # Discord refused the post
    assert [d.ticket.number for d in reminders(desk, clock).take_due()] == [taken[0].ticket.number]
    assert reminders(desk, clock, minutes=0, hours=0).take_due() == []
    assert not reminders(desk, clock, minutes=0, hours=0).enabled
