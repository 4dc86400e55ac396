"""Reminders (fake clock), snippets, /privacy forget, and clean logs, through the Discord harness (issue 13)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import WEDNESDAY_MORNING
from harness import (
    NO_MATCH,
    OTHER,
    STAFF,
    STAFF_CHANNEL_ID,
    STAFF_ROLE_ID,
    STUDENT_ID,
    Harness,
    buttons,
    server_error,
    text_of,
)

from admissionsbot.adapters.discord.log_redaction import RedactingFilter
from admissionsbot.bootstrap import Assistant, build_assistant
from admissionsbot.config import Settings
from admissionsbot.core.models import Asker, FiledReason, Staff
from admissionsbot.core.privacy import REMOVED

AS_STAFF = {"who": STAFF, "roles": (STAFF_ROLE_ID,)}
ADA = Staff("discord", "6000", "ada")


class Clock:
    def __init__(self) -> None:
        self.now = WEDNESDAY_MORNING

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(settings: Settings, clock: Clock) -> Iterator[Assistant]:
    """The harness's service, on a clock the test moves."""
    assistant = build_assistant(settings, clock=clock)
    yield assistant
    assistant.shutdown()


def said(harness: Harness, token: str) -> str:
    return "\n".join(text_of(b) for b in harness.rec.replies_to(token))


def reminders(harness: Harness) -> list[Any]:
    return [c for c in harness.staff_posts() if "⏰" in ((c.json or {}).get("content") or "")]


async def test_reminders_ping_the_staff_role_once_per_interval_and_never_twice_across_a_restart(
        harness: Harness, clock: Clock):
    n = (await harness.ask_and_pass_on(NO_MATCH)).number
    await harness.bot.office.remind_once()
    assert reminders(harness) == []  # just filed
    clock.now += timedelta(minutes=61)
    await harness.bot.office.remind_once()
    await harness.settle()
    [post] = reminders(harness)
    assert post.json["content"] == (f"⏰ <@&{STAFF_ROLE_ID}> 1 ticket waiting:\n"
                                    f"• #{n} unclaimed for 1 h 01 min of office time")
    assert post.json["allowed_mentions"] == {"parse": [], "roles": [STAFF_ROLE_ID]}  # the staff role, nobody else
    await harness.restart()  # the new process's loops run at once: nothing is posted twice
    await harness.bot.office.remind_once()
    await harness.settle()
    assert len(reminders(harness)) == 1
    clock.now = WEDNESDAY_MORNING.replace(hour=18)  # closed: nothing, however late it is
    await harness.bot.office.remind_once()
    assert len(reminders(harness)) == 1
    clock.now = WEDNESDAY_MORNING + timedelta(days=1, minutes=-30)  # Thursday 09:30: another interval of office time
    await harness.bot.office.remind_once()
    assert len(reminders(harness)) == 2 and harness.service.desk.ticket(n).reminders == 2


async def test_a_refused_reminder_comes_again(harness: Harness, clock: Clock):
    await harness.ask_and_pass_on(NO_MATCH)
    clock.now += timedelta(hours=2)
    harness.rec.fail(lambda c: c.channel_id == STAFF_CHANNEL_ID and "⏰" in str(c.json), server_error, times=1)
    await harness.bot.office.remind_once()
    assert reminders(harness) == []
    await harness.bot.office.remind_once()
    assert len(reminders(harness)) == 1


async def test_snippets_from_commands_the_reply_form_and_queue_reply(harness: Harness):
    token = await harness.slash("snippet", {"name": "Fees-Link", "text": "See the fees page."}, sub="add", **AS_STAFF)
    assert "Snippet `fees-link` added" in said(harness, token)
    token = await harness.slash("snippet", {"name": "fees-link", "text": "again"}, sub="add", **AS_STAFF)
    assert "exists already" in said(harness, token)
    token = await harness.slash("snippet", sub="list", **AS_STAFF)
    assert "fees-link" in said(harness, token) and "See the fees page." in said(harness, token)
    token = await harness.slash("snippet", sub="list", who=OTHER, roles=())
    assert "Only the admissions team" in said(harness, token)

    n = (await harness.ask_and_pass_on(NO_MATCH)).number
    harness.service.desk.claim(n, ADA)
    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:reply:{n}", **AS_STAFF)
    modal = harness.modal_from(token)
    token = await harness.submit_modal(modal, {"Reply to the student": "Hi!",
                                               "Insert a snippet (its name, optional)": "nope"},
                                       channel_id=STAFF_CHANNEL_ID, **AS_STAFF)
    assert "There is no snippet called 'nope'. Snippets: fees-link." in said(harness, token)
    assert "Hi!" in said(harness, token)  # the typed text is given back
    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:reply:{n}", **AS_STAFF)
    await harness.submit_modal(harness.modal_from(token), {"Reply to the student": "Hi!",
                                                           "Insert a snippet (its name, optional)": "fees-link"},
                               channel_id=STAFF_CHANNEL_ID, **AS_STAFF)
    assert harness.rec.dms()[-1].json["embeds"][0]["description"] == "Hi!\n\nSee the fees page."
    await harness.slash("queue", {"number": n, "snippet": "fees-link"}, sub="reply", **AS_STAFF)
    assert harness.rec.dms()[-1].json["embeds"][0]["description"] == "See the fees page."
    token = await harness.slash("snippet", {"name": "fees-link"}, sub="remove", **AS_STAFF)
    assert "removed" in said(harness, token)
    assert await harness.bot.office.snippet_names("") == []


async def test_privacy_forget_asks_first_then_forgets_and_updates_the_card(harness: Harness):
    n = (await harness.ask_and_pass_on(NO_MATCH)).number
    assert NO_MATCH in harness.staff_card(n)["embeds"][0]["description"]
    token = await harness.slash("privacy", {"user_id": str(STUDENT_ID)}, sub="forget", **AS_STAFF)
    [confirm] = [m for m in harness.messages_for(token) if buttons(m)]
    assert "1 tickets" in confirm["content"] and "cannot be undone" in confirm["content"]
    assert harness.service.desk.ticket(n).question == NO_MATCH  # nothing happened yet
    custom_id = f"admissionsbot:forget:discord:{STUDENT_ID}"
    token = await harness.click(confirm, custom_id, who=OTHER, roles=())
    assert "Only the admissions team" in said(harness, token)
    token = await harness.click(confirm, custom_id, **AS_STAFF)
    assert "Done: 1 tickets" in said(harness, token)
    assert harness.service.desk.ticket(n).question == REMOVED
    card = harness.staff_card(n)["embeds"][0]
    assert card["description"] == REMOVED and "stu" not in text_of({"embeds": [card]}).lower().replace("student", "")
    token = await harness.slash("privacy", {"user_id": str(STUDENT_ID)}, sub="forget", **AS_STAFF)
    assert "Nothing is stored about that person." in said(harness, token)


async def test_logs_carry_no_student_words_contact_details_or_tokens(harness: Harness, clock: Clock,
                                                                     caplog: pytest.LogCaptureFixture):
    """The new flows at DEBUG: a follow-up whose notice fails, a reminder, forgetting.

    Our own lines never hold what a student wrote; the redacting filter on every handler then also masks
    email addresses and tokens in anything discord.py logs.
    """
    caplog.set_level(logging.DEBUG)
    harness.rec.fail(lambda c: c.channel_id == STAFF_CHANNEL_ID and "💬" in str(c.json), server_error, times=1)
    n = (await harness.ask_and_pass_on("weather on mars for Zed Secretname, zed@example.org")).number
    harness.service.desk.claim(n, ADA)
    await harness.slash("queue", {"number": n, "text": "Hello Zed Secretname"}, sub="reply", **AS_STAFF)
    [dm] = harness.rec.dms()
    token = await harness.click(dm.response, f"admissionsbot:followup:{n}", dm=True)
    await harness.submit_modal(harness.modal_from(token), {"Your message to the admissions team":
                                                           "my phone is 0170-555 and zed@example.org"},
                               dm=True, channel_id=int(dm.response["channel_id"]))
    clock.now += timedelta(hours=30)
    await harness.bot.office.remind_once()
    token = await harness.slash("privacy", {"user_id": str(STUDENT_ID)}, sub="forget", **AS_STAFF)
    [confirm] = [m for m in harness.messages_for(token) if buttons(m)]
    await harness.click(confirm, f"admissionsbot:forget:discord:{STUDENT_ID}", **AS_STAFF)
    raw = "\n".join(r.getMessage() for r in caplog.records)
    assert "follow-up on ticket" in raw and "Privacy: a person was forgotten" in raw  # logged ...
    for secret in ("Secretname", "0170-555", "weather on mars", "zed@example.org"):
        assert secret not in raw, secret  # ... without what the student wrote
    flt = RedactingFilter()
    for record in caplog.records:
        flt.filter(record)
    redacted = "\n".join(r.getMessage() for r in caplog.records)
    assert "zed@example.org" not in redacted and "tok8" not in redacted


async def test_the_daily_purge_runs_in_the_leader_and_updates_cards(harness: Harness, clock: Clock):
    background = harness.bot.get_cog("Background")
    assert {background.remind, background.purge} <= set(background.leader_loops)  # type: ignore[union-attr]
    n = (await harness.ask_and_pass_on(NO_MATCH)).number
    harness.service.desk.close(n, ADA, "done")
    harness.bot.office.privacy.retention_days = 30
    clock.now += timedelta(days=29)
    await harness.bot.office.purge_once()
    assert harness.service.desk.ticket(n).question == NO_MATCH
    clock.now += timedelta(days=2)
    await harness.bot.office.purge_once()
    assert harness.service.desk.ticket(n).question == REMOVED
    assert harness.staff_card(n)["embeds"][0]["description"] == REMOVED


async def test_a_console_name_that_cannot_ride_on_a_button_points_to_the_command_line(harness: Harness):
    harness.service.desk.file_question(Asker("console", "Sam Smith", "Sam Smith"), "parking?", FiledReason.NO_MATCH)
    token = await harness.slash("privacy", {"user_id": "Sam Smith", "platform": "console"}, sub="forget", **AS_STAFF)
    text = said(harness, token)
    assert "admissionsbot privacy forget --platform console" in text
    assert not [m for m in harness.messages_for(token) if buttons(m)]
