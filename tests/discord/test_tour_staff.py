"""Campus tours on Discord, the staff side and the notices (issue 14): /tours add|list|show|cancel, and the
leader's pass that DMs each reminder and each slot-cancelled notice once, across a restart too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import WEDNESDAY_MORNING
from discord import app_commands
from harness import Harness, forbidden, text_of
from tour_support import Clock, add, assistant, berlin, book, choose, selects, staff, stamp

from admissionsbot.bootstrap import Assistant
from admissionsbot.config import Settings
from admissionsbot.core.models import TicketStatus


@pytest.fixture
def clock() -> Clock:
    return Clock(WEDNESDAY_MORNING)  # Wednesday 1 May 2024, 10:00 UTC = 12:00 in Berlin


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return berlin(settings)


@pytest.fixture
def service(settings: Settings, clock: Clock) -> Iterator[Assistant]:
    yield from assistant(settings, clock)


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
