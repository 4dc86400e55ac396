"""Nothing the bot sends can ping: @everyone, roles or users in questions, FAQ text or staff replies.

conftest.assert_no_mentions_allowed runs after EVERY test in this directory over all it sent;
this test drives the riskiest echoes through every kind of outgoing message at once.
"""

from __future__ import annotations

import discord
from conftest import assert_no_mentions_allowed
from harness import BOT_USER, GENERAL_CHANNEL_ID, STAFF, STAFF_ROLE_ID, STUDENT_ID, Harness

PINGS = f"@everyone @here <@&{STAFF_ROLE_ID}> <@{STUDENT_ID}>"
AS_STAFF = {"who": STAFF, "roles": (STAFF_ROLE_ID,)}


async def test_bot_level_mentions_are_locked_down(harness: Harness):
    mentions = harness.bot.allowed_mentions
    assert mentions is not None and mentions.to_dict() == discord.AllowedMentions.none().to_dict()


async def test_no_outgoing_payload_allows_a_mention(harness: Harness):
    await harness.say(f"<@{BOT_USER['id']}> Do internships pay? {PINGS}", channel_id=GENERAL_CHANNEL_ID,
                      mentions=[BOT_USER])  # answer echoing the question (and an FAQ answer with @everyone)
    ticket = await harness.ask_and_pass_on(f"what is the weather on mars today {PINGS}")  # offer, ticket, staff card
    assert PINGS in ticket.question
    await harness.slash("queue", {"number": ticket.number}, sub="claim", **AS_STAFF)  # card edit
    await harness.slash("queue", {"number": ticket.number, "text": f"Hello {PINGS}"}, sub="reply", **AS_STAFF)  # DM
    await harness.slash("mytickets")  # followups
    checked = assert_no_mentions_allowed(harness.rec)
    kinds = {(c.api, c.method, c.path) for c in harness.rec.sent()}
    assert ("rest", "POST", "/channels/{channel_id}/messages") in kinds
    assert ("rest", "PATCH", "/channels/{channel_id}/messages/{message_id}") in kinds
    assert ("webhook", "POST", "/webhooks/{webhook_id}/{webhook_token}") in kinds
    assert checked >= 8
