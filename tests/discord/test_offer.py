"""No match: the bot offers to pass the question on; only the student's press files it (issue 10).

Hand-off topics, "Talk to admissions", "None of these" and too-long messages still file at
once (test_student, test_limits); here: the offer itself, ignoring it, and racing presses.
"""

from __future__ import annotations

import pytest
from harness import (
    DM_CHANNEL_ID,
    HANDOFF_QUESTION,
    HELP_CHANNEL_ID,
    NO_MATCH,
    Harness,
    buttons,
    text_of,
)

from admissionsbot.core.models import FiledReason, TicketKind

OFFER_TITLE = "Ask the admissions team?"


def fields(message: dict) -> dict[str, str]:
    return {f["name"]: f["value"] for f in message["embeds"][0].get("fields", [])}


async def offer_for(harness: Harness, where: str) -> dict:
    """Ask NO_MATCH by /ask, in a DM or in the help channel; the offer message as Discord holds it."""
    if where == "ask":
        [offer] = harness.messages_for(await harness.slash("ask", {"question": NO_MATCH}))
        assert offer["flags"] & 64  # ephemeral
    elif where == "dm":
        await harness.say(NO_MATCH, dm=True, channel_id=DM_CHANNEL_ID)
        [offer] = harness.replies_in(DM_CHANNEL_ID)
    else:
        await harness.say(NO_MATCH, channel_id=HELP_CHANNEL_ID)
        [offer] = harness.replies_in(HELP_CHANNEL_ID)
    return offer


@pytest.mark.parametrize("where", ["ask", "dm", "help"])
async def test_no_match_is_offered_and_only_the_button_files_it(harness: Harness, where: str):
    offer = await offer_for(harness, where)
    [embed] = offer["embeds"]
    assert embed["title"] == OFFER_TITLE
    assert "pass your question to the admissions team" in embed["description"]
    assert embed["footer"]["text"] == f"You asked: {NO_MATCH}"  # the button reads the question back from here
    assert ([(b["label"], b["custom_id"]) for b in buttons(offer)]
            == [("Ask the admissions team", "admissionsbot:offer")])
    assert "ticket" not in text_of(offer).lower()
    assert harness.service.desk.tickets() == [] and harness.staff_posts() == []  # nothing filed yet

    token = await harness.click(offer, "admissionsbot:offer")
    [ticket] = harness.service.desk.tickets()
    assert ticket.kind is TicketKind.QUESTION and ticket.question == NO_MATCH
    assert ticket.reason is FiledReason.NO_MATCH and ticket.rejected_entry is None
    assert ticket.asker.private is (where == "dm")
    [told] = harness.rec.replies_to(token)
    assert told["flags"] & 64 and f"#{ticket.number}" in told["content"] and "/mytickets" in told["content"]
    [card] = harness.staff_posts()
    assert fields(card.json)["Why it came to staff"] == "no match"
    assert NO_MATCH in card.json["embeds"][0]["description"]


async def test_ignoring_the_offer_files_nothing(harness: Harness):
    await offer_for(harness, "ask")
    await offer_for(harness, "dm")
    await offer_for(harness, "help")
    await harness.slash("ask", {"question": "Do internships pay?"})  # the student moves on
    await harness.restart()  # and the bot restarts
    assert harness.service.desk.tickets() == []
    assert harness.service.desk.pending_staff_posts() == []
    assert harness.staff_posts() == []
    token = await harness.slash("mytickets")
    assert "no requests" in harness.rec.followups(token)[0]["content"]


async def test_an_offer_after_a_rejected_answer_in_a_dm_records_the_answer(harness: Harness, monkeypatch):
    """DM: "Not what I asked" with no other candidate -> offer (carrying the entry) -> press."""
    monkeypatch.setattr(harness.service.answerer, "alternatives", lambda question, shown, limit=3: ())
    await harness.say("Do internships pay?", dm=True, channel_id=DM_CHANNEL_ID)
    [answer] = harness.replies_in(DM_CHANNEL_ID)
    token = await harness.click(answer, "admissionsbot:ans:other:internship-pay")
    [offer] = harness.messages_for(token)
    assert offer["embeds"][0]["title"] == OFFER_TITLE
    assert [b["custom_id"] for b in buttons(offer)] == ["admissionsbot:offer:internship-pay"]
    assert harness.service.desk.tickets() == []

    token = await harness.click(offer, "admissionsbot:offer:internship-pay")
    [ticket] = harness.service.desk.tickets()
    assert ticket.question == "Do internships pay?" and ticket.asker.private
    assert ticket.reason is FiledReason.REJECTED_ANSWER and ticket.rejected_entry == "internship-pay"
    [told] = harness.rec.replies_to(token)
    assert f"#{ticket.number}" in told["content"] and "I don't have an answer" not in told["content"]
    why = fields(harness.staff_card(ticket.number))["Why it came to staff"]
    assert why == "not what I asked (rejected answer: Do internships pay? `internship-pay`)"


async def test_concurrent_offer_presses_at_the_cap_file_exactly_one_ticket(harness: Harness):
    """Six presses of one offer at once by a student one below the cap: one ticket, one card; the other
    five presses are told it is already with the team (the same question is never filed twice)."""
    harness.service.desk.max_live_tickets_per_asker = 3
    for question in (HANDOFF_QUESTION, "tuition fees"):
        await harness.slash("ask", {"question": question})
    assert len(harness.service.desk.tickets()) == 2
    offer = await offer_for(harness, "ask")

    tokens = await harness.click_all([harness.click_payload(offer, "admissionsbot:offer") for _ in range(6)])
    tickets = harness.service.desk.tickets()
    assert len(tickets) == 3
    assert sum(t.question == NO_MATCH for t in tickets) == 1
    answers = [harness.rec.replies_to(token) for token in tokens]
    assert all(len(a) == 1 and a[0]["flags"] & 64 for a in answers)  # every press answered once, privately
    texts = [a[0]["content"] for a in answers]
    filed = [t for t in texts if "ticket **#" in t and "already" not in t]
    assert len(filed) == 1 and all("ticket **#3**" in t for t in texts)
    assert sum("already with the admissions team" in t for t in texts) == 5
    assert len([c for c in harness.staff_posts() if c.json.get("embeds")]) == 3


async def test_only_the_student_who_asked_can_press_the_buttons_under_a_public_reply(harness: Harness):
    """In a help channel the reply is public: another member's press must not file or vote for the asker."""
    from payloads import OTHER

    offer = await offer_for(harness, "help")
    original = harness.rec.messages[int(offer["message_reference"]["message_id"])]
    assert offer["referenced_message"]["author"]["id"] == str(original["author"]["id"])
    token = await harness.click(offer, "admissionsbot:offer", who=OTHER)
    assert "for the student who asked" in text_of(harness.messages_for(token)[0])
    assert harness.service.desk.tickets() == []
    await harness.click(offer, "admissionsbot:offer")  # the asker
    [ticket] = harness.service.desk.tickets()
    assert ticket.asker.user_id == "5000" and ticket.reason is FiledReason.NO_MATCH

    await harness.say("Do internships pay?", channel_id=HELP_CHANNEL_ID)
    answer = harness.replies_in(HELP_CHANNEL_ID)[-1]
    for custom_id in ("admissionsbot:ans:helpful:internship-pay", "admissionsbot:ans:other:internship-pay",
                      "admissionsbot:ans:staff:internship-pay"):
        token = await harness.click(answer, custom_id, who=OTHER)
        assert "for the student who asked" in text_of(harness.messages_for(token)[0])
    assert harness.service.desk.feedback() == [] and len(harness.service.desk.tickets()) == 1
