"""One process, several tasks reaching for the same card or reply (issue 11, items 10 and 11).

A staff card post or a DM that Discord answers late is still in flight when the
retry pass, a claim's card refresh or a second delivery attempt come along.
Each card must be posted once and staff told once, however the tasks interleave.
"""

from __future__ import annotations

import asyncio
from typing import Any

from harness import (
    HANDOFF_QUESTION,
    HELP_CHANNEL_ID,
    STAFF,
    STAFF_CHANNEL_ID,
    STAFF_ROLE_ID,
    Harness,
    forbidden,
)

from admissionsbot.core.models import Asker, FiledReason, Staff

ADA = Staff("discord", "6000", "ada")

AS_STAFF = {"who": STAFF, "roles": (STAFF_ROLE_ID,)}


def card_route(call: Any) -> bool:
    return call.method == "POST" and call.channel_id == STAFF_CHANNEL_ID and bool((call.json or {}).get("embeds"))


def cards(harness: Harness) -> list[Any]:
    return [c for c in harness.staff_posts() if c.json.get("embeds")]


def notes(harness: Harness) -> list[str]:
    return [c.json["content"] for c in harness.staff_posts() if not c.json.get("embeds")]


async def interaction_alone(harness: Harness, payload: dict[str, Any]) -> None:
    """Run one interaction to its end while other tasks (a held post) stay blocked."""
    assert harness.bot is not None
    before = set(asyncio.all_tasks())
    harness.bot._connection.parse_interaction_create(payload)
    await asyncio.sleep(0)
    started = [t for t in asyncio.all_tasks() if t not in before and not t.done()]
    await asyncio.wait_for(asyncio.gather(*started), 5)


def claim_payload(harness: Harness, number: int) -> dict[str, Any]:
    options = [{"name": "claim", "type": 1, "options": [{"name": "number", "type": 4, "value": number}]}]
    data = {"id": str(harness.rec.next_id()), "name": "queue", "type": 1, "options": options}
    return harness._interaction(2, data, who=STAFF, roles=(STAFF_ROLE_ID,), channel_id=HELP_CHANNEL_ID, dm=False,
                                message=None)


async def test_the_retry_pass_does_not_repost_a_card_still_in_flight(harness: Harness):
    held = harness.rec.hold(card_route)  # Discord answers the first card post late
    await harness.say(HANDOFF_QUESTION, settle=False)
    await asyncio.wait_for(held.reached.wait(), 5)

    await harness.bot.delivery.retry_pending()  # the retry loop comes by while the post is in flight
    held.release()
    await harness.settle()

    [ticket] = harness.service.desk.tickets()
    assert len(cards(harness)) == 1, [c.json["embeds"][0]["title"] for c in cards(harness)]
    assert harness.service.desk.pending_staff_posts() == []
    assert harness.staff_card(ticket.number)["embeds"][0]["title"].startswith(f"Ticket #{ticket.number}")


async def test_a_claim_while_the_card_is_being_posted_does_not_post_it_again(harness: Harness):
    held = harness.rec.hold(card_route)
    await harness.say(HANDOFF_QUESTION, settle=False)
    await asyncio.wait_for(held.reached.wait(), 5)
    [ticket] = harness.service.desk.tickets()  # stored before its card is posted

    await interaction_alone(harness, claim_payload(harness, ticket.number))  # claim: refreshes the card
    assert harness.service.desk.ticket(ticket.number).claimed_by is not None
    held.release()
    await harness.settle()

    assert len(cards(harness)) == 1, [c.json["embeds"][0]["title"] for c in cards(harness)]
    card = harness.staff_card(ticket.number)  # the one card, as Discord holds it now
    assert "claimed" in card["embeds"][0]["title"], card["embeds"][0]["title"]
    assert "Claimed by" in [f["name"] for f in card["embeds"][0]["fields"]]


async def test_a_stale_copy_of_a_failing_reply_tells_staff_once(harness: Harness):
    """The staff action and the retry pass both hold the reply as read before either failed (0 attempts)."""
    await harness.say(HANDOFF_QUESTION)
    number = harness.service.desk.tickets()[0].number
    harness.rec.fail(lambda c: c.method == "POST" and c.channel_id in harness.rec.dm_channels, forbidden)
    harness.service.desk.claim(number, ADA)
    harness.service.desk.reply(number, ADA, "Your answer.")
    [(ticket, reply)] = harness.service.desk.undelivered_replies()
    assert reply.delivery_attempts == 0

    await asyncio.gather(harness.bot.delivery.deliver_reply(ticket, reply),
                         harness.bot.delivery.deliver_reply(ticket, reply))
    await harness.bot.delivery.deliver_reply(ticket, reply)  # and once more, later, from the same stale copy
    await harness.settle()

    assert len(notes(harness)) == 1, notes(harness)
    waiting = [c for c in harness.rec.channel_posts(HELP_CHANNEL_ID)
               if "waiting for you" in (c.json.get("content") or "")]
    assert len(waiting) == 1


async def test_a_pass_sends_students_side_by_side_but_each_students_replies_in_order(harness: Harness):
    for i, who in enumerate(("5000", "5001")):
        asker = Asker("discord", who, f"student{i}", str(HELP_CHANNEL_ID))
        number = harness.service.desk.file_question(asker, HANDOFF_QUESTION, FiledReason.HANDOFF).number
        harness.service.desk.claim(number, ADA)
        for text in ("first", "second"):
            harness.service.desk.reply(number, ADA, f"{text} reply to {who}")
    held = harness.rec.hold(lambda c: c.method == "POST" and c.channel_id in harness.rec.dm_channels
                            and "first reply to 5000" in str(c.json))

    passing = asyncio.create_task(harness.bot.delivery.retry_pending())
    await asyncio.wait_for(held.reached.wait(), 5)
    await asyncio.sleep(0.1)  # the other student's replies go on meanwhile; this student's second waits
    sent = [c.json["embeds"][0]["description"] for c in harness.rec.dms()]
    assert "first reply to 5001" in sent and "second reply to 5000" not in sent, sent
    held.release()
    await asyncio.wait_for(passing, 5)

    sent = [c.json["embeds"][0]["description"] for c in harness.rec.dms()]
    assert [t for t in sent if t.endswith("5000")] == ["first reply to 5000", "second reply to 5000"]
    assert [t for t in sent if t.endswith("5001")] == ["first reply to 5001", "second reply to 5001"]
    assert harness.service.desk.undelivered_replies() == []
