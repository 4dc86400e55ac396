"""`admissionsbot tours add|list|show|cancel` through the real entry point, and the tour settings (issue 14)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from admissionsbot.cli import main
from admissionsbot.config import ConfigError, load_settings
from admissionsbot.core.desk import TicketDesk
from admissionsbot.core.models import Asker
from admissionsbot.core.tour_desk import TourDesk
from admissionsbot.core.tours import BookingDetails, BookingStatus, TourRules
from admissionsbot.storage import open_store


@pytest.fixture
def db(clean_env, monkeypatch):
    """A temp dir (no ./admissionsbot.yaml), the school in Berlin."""
    monkeypatch.setenv("ADMISSIONSBOT_TIMEZONE", "Europe/Berlin")
    return clean_env


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def book(db: str, slot_id: int, who: str = "robin", visitors: int = 2) -> int:
    store = open_store(db)
    try:
        tours = TourDesk(TicketDesk(store), TourRules.parse("Europe/Berlin"))
        ticket, _ = tours.book(Asker("discord", who, who.title()), slot_id,
                               BookingDetails(who.title(), f"{who}@example.com", str(visitors), "a parent"))
        return ticket.number
    finally:
        store.close_store()


def test_staff_publish_list_show_and_cancel(capsys, db):
    code, out, _ = cli(capsys, "tours", "add", "2030-12-08T14:00", "--capacity", "6", "--note", "Meet at reception",
                       "--db", db)
    assert code == 0 and out == ("Tour slot #1 published: Sun 8 Dec 2030, 14:00–15:00 CET (2030-12-08 13:00 UTC), "
                                 "6 places.\n")
    assert cli(capsys, "tours", "add", "2030-07-01 09:30", "--capacity", "2", "--length", "90", "--db", db)[0] == 0
    code, out, _ = cli(capsys, "tours", "list", "--db", db)
    assert out.splitlines() == ["#2    Mon 1 Jul 2030, 09:30–11:00 CEST  0/2 booked, 2 places left",
                                "#1    Sun 8 Dec 2030, 14:00–15:00 CET  0/6 booked, 6 places left  Meet at reception"]
    number = book(db, 1)
    code, out, _ = cli(capsys, "tours", "show", "1", "--db", db)
    assert "2 of 6 places booked (4 places left)" in out and "note: Meet at reception" in out
    assert f"ticket #{number}  Robin <robin@example.com>  2 visitors  [booked] via discord; notes: a parent" in out
    code, out, _ = cli(capsys, "tours", "cancel", "1", "--reason", "The studio is flooded", "--as", "ada", "--db", db)
    assert code == 0 and f"1 booked student(s) (tickets #{number}) will be told once" in out
    code, out, _ = cli(capsys, "tours", "show", "1", "--db", db)
    assert "CANCELLED" in out and "The studio is flooded" in out and "[slot_cancelled]" in out
    code, out, _ = cli(capsys, "tours", "list", "--json", "--db", db)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r["cancelled"], r["starts_at"]) for r in rows] == [
        (2, False, "2030-07-01T07:30:00+00:00"), (1, True, "2030-12-08T13:00:00+00:00")]
    code, out, _ = cli(capsys, "queue", "show", str(number), "--db", db)  # the booking is a ticket like any other
    assert "tour contact: Robin <robin@example.com>; preferred: slot #1: Sun 8 Dec 2030" in out
    assert "closed" in out and "Tour slot #1 was cancelled: The studio is flooded" in out
    store = open_store(db)
    try:
        assert store.tour_booking(number).status is BookingStatus.SLOT_CANCELLED
    finally:
        store.close_store()


@pytest.mark.parametrize(("when", "message"), [
    ("2030-03-31T02:30", "does not exist in Europe/Berlin: the clocks go forward"),
    ("2030-10-27T02:30", "happens twice in Europe/Berlin"),
    ("next friday", "write it like 2026-12-08T14:00"),
    ("2020-01-01T10:00", "in the past"),
])
def test_bad_times_exit_2_with_a_clear_message(capsys, db, when, message):
    code, out, err = cli(capsys, "tours", "add", when, "--capacity", "6", "--db", db)
    assert code == 2 and message in err and "Traceback" not in err


def test_errors_are_one_line_and_listing_never_creates_the_database(capsys, db, tmp_path):
    code, _, err = cli(capsys, "tours", "list", "--db", str(tmp_path / "missing.db"))
    assert code == 2 and "does not exist" in err and not (tmp_path / "missing.db").exists()
    open_store(db).close_store()
    assert cli(capsys, "tours", "list", "--db", db)[1] == ("No upcoming tour slots. Add one with: admissionsbot "
                                                          "tours add WHEN --capacity N\n")
    cli(capsys, "tours", "add", "2030-12-08T14:00", "--capacity", "6", "--db", db)
    assert cli(capsys, "tours", "show", "9", "--db", db)[2] == "admissionsbot: There is no tour slot #9.\n"
    cli(capsys, "tours", "cancel", "1", "--db", db)
    assert "already cancelled" in cli(capsys, "tours", "cancel", "1", "--db", db)[2]
    assert "capacity must be from 1 to 500" in cli(capsys, "tours", "add", "2030-12-09T14:00", "--capacity", "0",
                                                   "--db", db)[2]
    assert "0/6 booked, CANCELLED" in cli(capsys, "tours", "list", "--db", db)[1]
    with pytest.raises(SystemExit):
        main(["tours", "list", "--faq", "faq", "--db", db])
    assert "'tours list' loads no FAQ" in capsys.readouterr().err


def test_tour_settings_have_defaults_and_are_checked(tmp_path):
    settings = load_settings(env={})
    assert (settings.tour_days_ahead, settings.tour_reminder_hours) == (14, 24.0)
    assert load_settings(env={"ADMISSIONSBOT_TOUR_REMINDER_HOURS": "0"}).tour_reminder_hours == 0
    for name, value, message in [("TOUR_DAYS_AHEAD", "0", "from 1 to 366"), ("TOUR_DAYS_AHEAD", "x", "whole number"),
                                 ("TOUR_REMINDER_HOURS", "-1", "from 0"), ("TOUR_REMINDER_HOURS", "nan", "from 0")]:
        with pytest.raises(ConfigError, match=message) as info:
            load_settings(env={f"ADMISSIONSBOT_{name}": value})
        assert f"ADMISSIONSBOT_{name}" in str(info.value)


def test_the_tour_days_ahead_setting_bounds_what_students_see(db):
    store = open_store(db)
    try:
        now = datetime(2030, 12, 1, 9, 0, tzinfo=UTC)
        tours = TourDesk(TicketDesk(store, clock=lambda: now), TourRules.parse("Europe/Berlin", days_ahead=3))
        near, far = tours.add_slot("2030-12-03T10:00", 5), tours.add_slot("2030-12-05T10:00", 5)
        assert [s.id for s in tours.open_slots()] == [near.id]
        assert [s.id for s in tours.slots()] == [near.id, far.id]  # staff see every upcoming slot
    finally:
        store.close_store()
