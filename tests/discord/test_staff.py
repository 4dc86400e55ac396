"""Staff: the ticket card and its buttons, /queue ..., /faq reload, and staff-only checks everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FAQ, write_faq
from harness import (
    DM_CHANNEL_ID,
    NO_MATCH,
    OTHER,
    STAFF,
    STAFF_CHANNEL_ID,
    STAFF_ROLE_ID,
    STUDENT_ID,
    Harness,
    buttons,
    text_of,
)

from admissionsbot.core.models import Staff, TicketStatus

ADA = Staff("discord", "6000", "ada")
AS_STAFF = {"who": STAFF, "roles": (STAFF_ROLE_ID,)}


async def new_ticket(harness: Harness) -> int:
    """A question the bot cannot answer, passed on by the student's press of "Ask the admissions team"."""
    return (await harness.ask_and_pass_on(NO_MATCH)).number


def card_embed(harness: Harness, number: int) -> dict:
    return harness.staff_card(number)["embeds"][0]


def fields(embed: dict) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed["fields"]}


def followup_text(harness: Harness, token: str) -> str:
    return "\n".join(text_of(b) for b in harness.rec.followups(token))


async def test_claim_reply_close_from_the_card(harness: Harness):
    n = await new_ticket(harness)
    card = harness.staff_card(n)

    token = await harness.click(card, f"admissionsbot:staff:claim:{n}", **AS_STAFF)
    assert f"claimed ticket #{n}" in followup_text(harness, token)
    assert harness.service.desk.ticket(n).claimed_by == ADA
    embed = card_embed(harness, n)
    assert embed["title"].endswith("claimed") and fields(embed)["Claimed by"] == "ada (<@6000>)"
    assert [b["disabled"] for b in buttons(harness.staff_card(n))][:3] == [True, False, False]

    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:reply:{n}", **AS_STAFF)
    modal = harness.modal_from(token)
    assert modal["title"] == f"Reply to ticket #{n}"
    token = await harness.submit_modal(modal, {"Reply to the student": "Sunny, mostly."}, channel_id=STAFF_CHANNEL_ID,
                                       **AS_STAFF)
    [dm] = harness.rec.dms()
    assert dm.json["embeds"][0]["description"] == "Sunny, mostly."
    assert f"ticket #{n}" in dm.json["embeds"][0]["title"]
    create_dm = [c for c in harness.rec.sent() if c.path == "/users/@me/channels"]
    assert create_dm[0].json == {"recipient_id": STUDENT_ID}
    ticket = harness.service.desk.ticket(n)
    assert ticket.status is TicketStatus.ANSWERED and ticket.replies[0].delivered_at is not None
    assert "sent to the student by DM" in followup_text(harness, token)
    embed = card_embed(harness, n)
    assert embed["title"].endswith("answered") and "delivered" in fields(embed)["Replies"]

    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:close:{n}", **AS_STAFF)
    modal = harness.modal_from(token)
    await harness.submit_modal(modal, {"Reason (optional)": "answered"}, channel_id=STAFF_CHANNEL_ID, **AS_STAFF)
    ticket = harness.service.desk.ticket(n)
    assert ticket.status is TicketStatus.CLOSED and ticket.close_reason == "answered"
    embed = card_embed(harness, n)
    assert embed["title"].endswith("closed") and fields(embed)["Close reason"] == "answered"
    enabled = {b["label"] for b in buttons(harness.staff_card(n)) if not b["disabled"]}
    assert "Reopen" in enabled and enabled <= {"Reopen", "Add to FAQ"}  # a closed ticket can be reopened or learned
    assert len(harness.rec.edits(STAFF_CHANNEL_ID)) == 3  # the card was updated at every step


async def test_students_cannot_use_staff_buttons(harness: Harness):
    n = await new_ticket(harness)
    card = harness.staff_card(n)
    for action in ("claim", "reply", "close"):
        token = await harness.click(card, f"admissionsbot:staff:{action}:{n}", who=OTHER, roles=())
        [body] = harness.rec.replies_to(token)
        assert body["flags"] & 64 and "Only the admissions team" in body["content"]
        assert not [c for c in harness.rec.callbacks(token) if c["type"] == 9]  # no form opened
    assert harness.service.desk.ticket(n).status is TicketStatus.OPEN


async def test_staff_modal_rechecks_on_submit(harness: Harness):
    n = await new_ticket(harness)
    harness.service.desk.claim(n, ADA)
    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:reply:{n}", **AS_STAFF)
    modal = harness.modal_from(token)
    token = await harness.submit_modal(modal, {"Reply to the student": "hi"}, who=OTHER, roles=())
    assert "Only the admissions team" in harness.rec.replies_to(token)[0]["content"]
    assert harness.service.desk.ticket(n).replies == ()


@pytest.mark.parametrize("command", [("queue", "list", {}), ("queue", "show", {"number": 1}),
                                     ("queue", "claim", {"number": 1}), ("queue", "reply", {"number": 1, "text": "x"}),
                                     ("queue", "close", {"number": 1}), ("faq", "reload", {})])
async def test_students_cannot_use_staff_commands(harness: Harness, command):
    n = await new_ticket(harness)
    group, sub, options = command
    token = await harness.slash(group, options, sub=sub, who=OTHER, roles=())
    [body] = harness.rec.replies_to(token)
    assert body["flags"] & 64 and "Only the admissions team" in body["content"]
    assert harness.service.desk.ticket(n).status is TicketStatus.OPEN


async def test_nobody_is_staff_in_dms(harness: Harness):
    token = await harness.slash("queue", {}, sub="list", who=STAFF, dm=True, channel_id=DM_CHANNEL_ID)
    [body] = harness.rec.replies_to(token)
    assert body["flags"] & 64 and body["content"] == "Only the admissions team can use this."
    assert len(harness.rec.calls) == 1  # nothing else: no listing, no followup


async def test_queue_commands(harness: Harness):
    n = await new_ticket(harness)
    token = await harness.slash("queue", {"status": "open"}, sub="list", **AS_STAFF)
    listing = followup_text(harness, token)
    assert "Open tickets" in listing and f"#{n}" in listing and NO_MATCH in listing

    token = await harness.slash("queue", {"number": n}, sub="show", **AS_STAFF)
    assert f"Ticket #{n}" in followup_text(harness, token)

    token = await harness.slash("queue", {"number": n, "text": "too early"}, sub="reply", **AS_STAFF)
    assert "claim it before replying" in followup_text(harness, token)  # the service's own message

    await harness.slash("queue", {"number": n}, sub="claim", **AS_STAFF)
    assert harness.service.desk.ticket(n).claimed_by == ADA
    token = await harness.slash("queue", {"number": n, "text": "Bring a jacket."}, sub="reply", **AS_STAFF)
    assert "sent to the student by DM" in followup_text(harness, token)
    assert harness.rec.dms()[0].json["embeds"][0]["description"] == "Bring a jacket."
    await harness.slash("queue", {"number": n, "reason": "done"}, sub="close", **AS_STAFF)
    assert harness.service.desk.ticket(n).status is TicketStatus.CLOSED
    assert card_embed(harness, n)["title"].endswith("closed")

    token = await harness.slash("queue", {"number": 999}, sub="show", **AS_STAFF)
    assert "There is no ticket #999." in followup_text(harness, token)


async def test_refused_reply_from_the_form_is_echoed_back(harness: Harness):
    n = await new_ticket(harness)
    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:reply:{n}", **AS_STAFF)
    token = await harness.submit_modal(harness.modal_from(token), {"Reply to the student": "My careful answer"},
                                       channel_id=STAFF_CHANNEL_ID, **AS_STAFF)
    text = followup_text(harness, token)
    assert "claim it before replying" in text and "My careful answer" in text
    assert harness.service.desk.ticket(n).replies == ()


async def test_faq_reload_valid_and_invalid(harness: Harness, faq_dir: Path):
    extra = FAQ + """\
- id: scholarships
  question: Are there scholarships?
  alternates:
    - can I get a scholarship
    - scholarship options
    - financial scholarships for students
    - do you offer scholarships
    - merit scholarship
  answer: Yes, a few merit scholarships each year.
  source: career-after-graduation.txt
"""
    write_faq(faq_dir, extra)
    token = await harness.slash("faq", {}, sub="reload", **AS_STAFF)
    assert "FAQ reloaded: 7 entries" in followup_text(harness, token)
    assert harness.service.answerer.knowledge.has("scholarships")

    (faq_dir / "faq.yaml").write_text("- id: broken\n  question: [unclosed\n", encoding="utf-8")
    token = await harness.slash("faq", {}, sub="reload", **AS_STAFF)
    text = followup_text(harness, token)
    assert "NOT reloaded" in text and "faq.yaml" in text
    assert all(len(b["content"]) <= 2000 for b in harness.rec.followups(token))
    assert harness.service.answerer.knowledge.has("scholarships")  # the last good FAQ stays
    token = await harness.slash("ask", {"question": "Do internships pay?"})
    assert harness.rec.replies_to(token)[0]["embeds"][0]["title"] == "Do internships pay?"


async def test_the_everyone_role_never_makes_anyone_staff(harness: Harness):
    """Issue 11, item 1: @everyone's id is the server id; listing it as a staff role must not open the queue."""
    from dataclasses import replace as _replace

    from harness import GUILD_ID

    harness.bot.settings = _replace(harness.bot.settings, staff_role_ids=(GUILD_ID,))
    token = await harness.slash("queue", sub="list")
    assert "Only the admissions team" in text_of(harness.messages_for(token)[0])
