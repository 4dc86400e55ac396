"""Delivery that cannot be lost: closed DMs, outages, missing permissions, retries, start-up."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from harness import (
    HANDOFF_QUESTION,
    HELP_CHANNEL_ID,
    STAFF,
    STAFF_CHANNEL_ID,
    STAFF_ROLE_ID,
    Harness,
    forbidden,
    server_error,
    text_of,
)

AS_STAFF = {"who": STAFF, "roles": (STAFF_ROLE_ID,)}


def dm_route(harness: Harness):
    return lambda call: call.method == "POST" and call.channel_id in harness.rec.dm_channels


def staff_route(call) -> bool:
    return call.method == "POST" and call.channel_id == STAFF_CHANNEL_ID


async def wait_until(predicate, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def skip_back_off(harness: Harness) -> None:
    """Let two hours pass for leases and back-offs (kept in the store), as the retry pauses grow to one hour."""
    harness.service.desk.lease_clock = lambda: datetime.now(UTC) + timedelta(hours=2)


async def ticket_from_help_channel(harness: Harness) -> int:
    """A hand-off topic asked in the help channel: filed at once, the student told in the channel."""
    await harness.say(HANDOFF_QUESTION)
    return harness.service.desk.tickets()[0].number


async def claim_and_reply(harness: Harness, n: int, text: str) -> str:
    await harness.slash("queue", {"number": n}, sub="claim", **AS_STAFF)
    return await harness.slash("queue", {"number": n, "text": text}, sub="reply", **AS_STAFF)


async def test_closed_dms_keep_the_reply_pending_and_tell_staff_once(harness: Harness):
    n = await ticket_from_help_channel(harness)
    harness.rec.fail(dm_route(harness), forbidden)
    token = await claim_and_reply(harness, n, "The secret reply text.")

    [(ticket, reply)] = harness.service.desk.undelivered_replies()
    assert ticket.number == n and reply.delivery_attempts == 1 and "50007" in reply.last_error
    assert "could not be delivered" in "\n".join(text_of(b) for b in harness.rec.followups(token))

    notes = [c.json["content"] for c in harness.staff_posts() if not c.json.get("embeds")]
    assert len(notes) == 1 and f"ticket #{n}" in notes[0] and "DMs are closed" in notes[0]
    notices = [c.json["content"] for c in harness.rec.channel_posts(HELP_CHANNEL_ID)
               if "/mytickets" in (c.json.get("content") or "")]
    assert len(notices) == 2  # "ticket filed" + "a reply is waiting"
    assert "waiting for you" in notices[1] and "secret" not in notices[1]
    replies_field = {f["name"]: f["value"] for f in harness.staff_card(n)["embeds"][0]["fields"]}["Replies"]
    assert "NOT delivered" in replies_field

    await harness.bot.delivery.retry_pending()  # backing off: not retried yet, nobody told twice
    assert len([c for c in harness.staff_posts() if not c.json.get("embeds")]) == 1


async def test_the_retry_task_delivers_once_the_route_works(service, settings, recorder):
    fast = replace(settings, retry_interval_seconds=0.05)
    harness = Harness(service, fast, recorder)
    await harness.start()
    try:
        assert harness.bot.retry_task is not None and harness.bot.retry_task.seconds == 0.05
        n = await ticket_from_help_channel(harness)
        failure = harness.rec.fail(dm_route(harness), forbidden)
        await claim_and_reply(harness, n, "Eventually delivered.")
        await wait_until(lambda: harness.service.desk.undelivered_replies()[0][1].delivery_attempts >= 2)
        harness.rec.failures.remove(failure)
        await wait_until(lambda: harness.service.desk.undelivered_replies() == [])
        delivered = harness.rec.dms()
        assert len(delivered) == 1 and delivered[0].json["embeds"][0]["description"] == "Eventually delivered."
        await wait_until(lambda: "delivered" in str(harness.staff_card(n)["embeds"][0]["fields"])
                         and "NOT" not in str(harness.staff_card(n)["embeds"][0]["fields"]))
        await asyncio.sleep(0.2)
        assert len(harness.rec.dms()) == 1  # delivered once, never again
        notes = [c for c in harness.staff_posts() if not c.json.get("embeds")]
        assert len(notes) == 1  # told once however many retries failed
    finally:
        await harness.stop()


async def test_outage_on_dm_is_retried_too(harness: Harness):
    n = await ticket_from_help_channel(harness)
    harness.rec.fail(dm_route(harness), server_error, times=1)
    await claim_and_reply(harness, n, "After the outage.")
    [(_, reply)] = harness.service.desk.undelivered_replies()
    assert "Discord error 500" in reply.last_error
    skip_back_off(harness)
    await harness.bot.delivery.retry_pending()
    assert harness.service.desk.undelivered_replies() == []
    assert [c.json["embeds"][0]["description"] for c in harness.rec.dms()] == ["After the outage."]


async def test_mytickets_delivers_a_pending_reply_and_the_retry_then_skips_it(harness: Harness):
    n = await ticket_from_help_channel(harness)
    harness.rec.fail(dm_route(harness), forbidden)
    await claim_and_reply(harness, n, "Read me in /mytickets.")
    token = await harness.slash("mytickets")
    assert "Read me in /mytickets." in "\n".join(text_of(b) for b in harness.rec.followups(token))
    assert harness.service.desk.undelivered_replies() == []
    harness.rec.failures.clear()
    skip_back_off(harness)
    await harness.bot.delivery.retry_pending()
    assert harness.rec.dms() == []


async def test_failed_staff_post_is_retried_at_start_up(harness: Harness, caplog):
    harness.rec.fail(staff_route, server_error)
    token = await harness.slash("ask", {"question": HANDOFF_QUESTION})
    [ticket] = harness.service.desk.tickets()
    assert f"#{ticket.number}" in harness.rec.replies_to(token)[0]["content"]  # the student is still told
    assert [t.number for t in harness.service.desk.pending_staff_posts()] == [ticket.number]
    assert any(e.action == "staff_post_failed" for e in harness.service.desk.ticket(ticket.number).events)
    assert any(r.levelno == logging.WARNING and "staff channel" in r.getMessage() for r in caplog.records)

    harness.rec.failures.clear()
    await harness.restart()  # the start-up pass posts it
    assert harness.service.desk.pending_staff_posts() == []
    assert len(harness.staff_posts()) == 1
    assert harness.staff_card(ticket.number)["embeds"][0]["title"].startswith(f"Ticket #{ticket.number}")


async def test_missing_permission_in_a_help_channel_is_reported_once(harness: Harness):
    harness.rec.fail(lambda c: c.method == "POST" and c.channel_id == HELP_CHANNEL_ID,
                     lambda: forbidden(50013, "Missing Permissions"))
    for _ in range(3):
        await harness.say("Do internships pay?")
    notes = [c.json["content"] for c in harness.staff_posts()]
    assert len(notes) == 1 and f"<#{HELP_CHANNEL_ID}>" in notes[0] and "Missing Permissions" in notes[0]


async def test_no_staff_channel_keeps_tickets_pending(service, settings, recorder):
    harness = Harness(service, replace(settings, staff_channel_id=None), recorder)
    await harness.start()
    try:
        await harness.slash("ask", {"question": HANDOFF_QUESTION})
        assert len(harness.service.desk.pending_staff_posts()) == 1
    finally:
        await harness.stop()
