"""Small platform-neutral helpers the bot relies on: cooldown, office hours, intents, identity."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from admissionsbot.adapters.discord.bot import make_intents
from admissionsbot.adapters.discord.identity import staff_member, staff_name
from admissionsbot.config import Settings
from admissionsbot.core.cooldown import Cooldown
from admissionsbot.core.errors import AdmissionsError
from admissionsbot.core.office_hours import OfficeHours, OfficeHoursError


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_cooldown_window_and_single_warning():
    clock = Clock()
    cd = Cooldown(2, 10.0, clock)
    assert cd.hit("u").allowed and cd.hit("u").allowed
    first = cd.hit("u")
    assert not first.allowed and first.first_refusal and 0 < first.retry_after <= 10
    assert "wait 10 seconds" in first.message()
    second = cd.hit("u")
    assert not second.allowed and not second.first_refusal  # say it once, then stay quiet
    assert cd.hit("someone else").allowed
    clock.now = 10.0
    assert cd.hit("u").allowed


def test_cooldown_zero_seconds_means_off():
    cd = Cooldown(1, 0)
    assert all(cd.hit("u").allowed for _ in range(10))
    with pytest.raises(ValueError):
        Cooldown(0, 1)


def test_office_hours_open_closed_and_next_opening():
    hours = OfficeHours.parse("09:00-17:00", "mon-fri", "Europe/Berlin")
    wed_10_berlin = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert hours.is_open(wed_10_berlin) and hours.closed_note(wed_10_berlin) == ""
    sat = datetime(2024, 5, 4, 12, 0, tzinfo=UTC)
    assert not hours.is_open(sat)
    nxt = hours.next_open(sat)
    assert nxt.weekday() == 0 and nxt.hour == 9 and nxt.utcoffset().total_seconds() == 7200
    assert "Monday 09:00 (Europe/Berlin)" in hours.closed_note(sat)
    early_wed = datetime(2024, 5, 1, 5, 0, tzinfo=UTC)  # 07:00 in Berlin
    assert hours.next_open(early_wed).day == 1 and hours.next_open(early_wed).hour == 9
    late_fri = datetime(2024, 5, 3, 16, 0, tzinfo=UTC)  # 18:00 Friday in Berlin
    assert hours.next_open(late_fri).weekday() == 0


def test_office_days_forms():
    assert OfficeHours.parse(days="mon,wed,fri").days == frozenset({0, 2, 4})
    assert OfficeHours.parse(days="sat-mon").days == frozenset({5, 6, 0})
    assert OfficeHours.parse(days="Monday-Sunday").days == frozenset(range(7))


@pytest.mark.parametrize("kwargs, words", [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"hours": "9-5"}, "09:00-17:00"),
    ({"hours": "17:00-09:00"}, "before the closing"),
    ({"days": "funday"}, "mon-fri"),
    ({"days": ","}, "names no day"),
])
def test_bad_office_hours_settings_are_clear_errors(kwargs, words):
    with pytest.raises(OfficeHoursError, match=words) as info:
        OfficeHours.parse(**kwargs)
    assert isinstance(info.value, AdmissionsError)


def test_intents_are_minimal():
    plain = make_intents(Settings())
    assert plain.guilds and plain.guild_messages and plain.dm_messages
    assert not plain.message_content and not plain.members and not plain.presences
    with_help = make_intents(replace(Settings(), help_channel_ids=(1,)))
    assert with_help.message_content
    assert with_help.value == plain.value | type(plain)(message_content=True).value


def test_staff_are_their_discord_id_shown_with_their_username():
    user = type("U", (), {"name": "ada", "id": 6000})()
    assert staff_name(user) == "discord:6000"  # type: ignore[arg-type]
    renamed = staff_member(type("U", (), {"name": "ada_new", "id": 6000})())  # type: ignore[arg-type]
    assert renamed == staff_member(user) and renamed.name == "ada_new"  # type: ignore[arg-type]
