"""Chatter gets a nudge, never a ticket; in help channels only messages addressed to the bot are answered."""

from __future__ import annotations

import pytest
from harness import (
    BOT_USER,
    DM_CHANNEL_ID,
    GENERAL_CHANNEL_ID,
    HANDOFF_QUESTION,
    HELP_CHANNEL_ID,
    OTHER,
    STUDENT,
    Harness,
    buttons,
)

CHATTER = ["lol", "ok", "hmm", "asdfghjkl", "42", "yes"]
NUDGE_WORDS = "ask me a question"  # core.conversation.NUDGE: what the bot can help with


def assert_nudge(body: dict) -> None:
    assert NUDGE_WORDS in body["content"], body
    assert not body.get("embeds") and not buttons(body)  # a hint, no offer, no ticket button


def nothing_filed(harness: Harness) -> None:
    assert harness.service.desk.tickets() == []
    assert harness.staff_posts() == []


@pytest.mark.parametrize("text", CHATTER)
async def test_chatter_in_a_dm_gets_a_nudge_never_a_ticket(harness: Harness, text: str):
    await harness.say(text, dm=True, channel_id=DM_CHANNEL_ID)
    [reply] = harness.rec.channel_posts(DM_CHANNEL_ID)
    assert_nudge(reply.json)
    nothing_filed(harness)


@pytest.mark.parametrize("text", CHATTER)
async def test_chatter_in_ask_gets_a_nudge_never_a_ticket(harness: Harness, text: str):
    token = await harness.slash("ask", {"question": text})
    [body] = harness.rec.replies_to(token)
    assert body["flags"] & 64
    assert_nudge(body)
    nothing_filed(harness)


async def test_chatter_does_not_count_against_the_cap(harness: Harness):
    harness.service.desk.max_live_tickets_per_asker = 1
    for text in CHATTER:
        await harness.say(text, dm=True, channel_id=DM_CHANNEL_ID)
        await harness.slash("ask", {"question": text})
    nothing_filed(harness)
    token = await harness.slash("ask", {"question": HANDOFF_QUESTION})  # the one ticket allowed is still free
    [ticket] = harness.service.desk.tickets()
    assert f"#{ticket.number}" in harness.rec.replies_to(token)[0]["content"]

    token = await harness.slash("ask", {"question": "lol"})  # at the cap, chatter still gets the nudge
    [body] = harness.rec.replies_to(token)
    assert_nudge(body)
    assert "already have" not in body["content"]


# -- help channels: only what is addressed to the bot ------------------------------------------------
async def test_students_chatting_in_a_help_channel_are_left_alone(harness: Harness):
    for who, text in [(STUDENT, "lol"), (OTHER, "ok see you at the open day"), (STUDENT, "yes"),
                      (OTHER, "I start in September"), (STUDENT, "42"), (OTHER, "hmm")]:
        await harness.say(text, who=who, channel_id=HELP_CHANNEL_ID)
    assert harness.rec.calls == []  # no answer, no nudge, no ticket: nothing sent at all
    assert harness.service.desk.tickets() == []


async def test_a_question_to_another_student_is_left_alone(harness: Harness):
    first = await harness.say("I start in September", who=OTHER, channel_id=HELP_CHANNEL_ID)
    await harness.say("Do internships pay?", reply_to=first)  # a question, but a reply to someone else
    await harness.say(f"<@{OTHER['id']}> do internships pay?", mentions=[OTHER])  # ... or mentioning them
    assert harness.rec.calls == []
    # The same question on its own is for the bot.
    await harness.say("Do internships pay?")
    [answer] = harness.replies_in(HELP_CHANNEL_ID)
    assert answer["embeds"][0]["title"] == "Do internships pay?"


@pytest.mark.parametrize("text", ["Do internships pay?", "how do interns get paid", "are internships paid"])
async def test_a_question_in_a_help_channel_is_answered(harness: Harness, text: str):
    await harness.say(text, channel_id=HELP_CHANNEL_ID)
    [answer] = harness.replies_in(HELP_CHANNEL_ID)
    assert answer["embeds"][0]["title"] == "Do internships pay?"
    assert answer["embeds"][0]["footer"]["text"] == f"You asked: {text}"


async def test_a_mention_of_the_bot_is_answered_even_without_a_question(harness: Harness):
    await harness.say(f"<@{BOT_USER['id']}> internships paid", mentions=[BOT_USER])
    await harness.say(f"<@{BOT_USER['id']}> <@{OTHER['id']}> internships paid", mentions=[BOT_USER, OTHER])
    answers = harness.replies_in(HELP_CHANNEL_ID)
    assert [a["embeds"][0]["title"] for a in answers] == ["Do internships pay?"] * 2
    assert [a["embeds"][0]["footer"]["text"] for a in answers] == [  # the bot's mention is stripped, no other
        "You asked: internships paid", f"You asked: <@{OTHER['id']}> internships paid"]
    await harness.say(f"<@{BOT_USER['id']}> lol", mentions=[BOT_USER])  # addressed chatter: a nudge
    assert_nudge(harness.rec.channel_posts(HELP_CHANNEL_ID)[-1].json)
    assert harness.service.desk.tickets() == []


async def test_a_reply_to_the_bot_is_answered_even_without_a_question(harness: Harness):
    await harness.say("Do internships pay?")
    [answer] = harness.replies_in(HELP_CHANNEL_ID)
    await harness.say("internship placement", reply_to=answer)  # no "?", no question word: only the reply counts
    [_, second] = harness.rec.channel_posts(HELP_CHANNEL_ID)
    assert second.json["embeds"][0]["title"] == "How do I find an internship?"
    assert second.json["message_reference"]["fail_if_not_exists"] is False


async def test_a_reply_to_ones_own_message_is_not_talking_to_someone_else(harness: Harness):
    first = await harness.say("I start in September")  # not a question: left alone
    assert harness.rec.calls == []
    await harness.say("Do internships pay?", reply_to=first)
    [answer] = harness.replies_in(HELP_CHANNEL_ID)
    assert answer["embeds"][0]["title"] == "Do internships pay?"


async def test_outside_help_channels_only_a_mention_counts(harness: Harness):
    await harness.say("Do internships pay?", channel_id=GENERAL_CHANNEL_ID)
    assert harness.rec.calls == []
    await harness.say(f"<@{BOT_USER['id']}> internships paid", channel_id=GENERAL_CHANNEL_ID, mentions=[BOT_USER])
    [answer] = harness.replies_in(GENERAL_CHANNEL_ID)
    assert answer["embeds"][0]["title"] == "Do internships pay?"
