"""Hand-over on the card and /queue, a staff rename mid-ticket, and students' follow-ups (issue 13)."""

from __future__ import annotations

from typing import Any

from harness import (
    NO_MATCH,
    OTHER,
    STAFF,
    STAFF_CHANNEL_ID,
    STAFF_ROLE_ID,
    Harness,
    buttons,
    member,
    server_error,
    text_of,
    user,
)

from admissionsbot.core.models import Asker, FiledReason, Staff, TicketStatus

AS_STAFF = {"who": STAFF, "roles": (STAFF_ROLE_ID,)}
ADA = Staff("discord", "6000", "ada")
BEA = user(6001, "bea")


def followup_text(harness: Harness, token: str) -> str:
    return "\n".join(text_of(b) for b in harness.rec.replies_to(token))


def card_fields(harness: Harness, n: int) -> dict[str, str]:
    return {f["name"]: f["value"] for f in harness.staff_card(n)["embeds"][0]["fields"]}


def staff_notes(harness: Harness) -> list[Any]:
    return [c for c in harness.staff_posts() if not (c.json or {}).get("embeds")]


def pick_member(harness: Harness, message: dict[str, Any], who: dict[str, Any], roles: tuple[int, ...]) -> dict:
    """The payload of a choice in a recorded message's member picker (a user select)."""
    [select] = [c for row in message["components"] for c in row["components"] if c["type"] == 5]
    resolved_member = {k: v for k, v in member(who, roles).items() if k != "user"}
    data = {"custom_id": select["custom_id"], "component_type": 5, "values": [who["id"]],
            "resolved": {"users": {who["id"]: who}, "members": {who["id"]: resolved_member}}}
    return harness._interaction(3, data, who=STAFF, roles=(STAFF_ROLE_ID,), channel_id=STAFF_CHANNEL_ID, dm=False,
                                message=message)


async def assign_command(harness: Harness, number: int, who: dict[str, Any], roles: tuple[int, ...],
                         by: dict[str, Any] = STAFF) -> str:
    """/queue assign number member: a user option carries the member in `resolved`, as Discord sends it."""
    options = [{"name": "number", "type": 4, "value": number}, {"name": "member", "type": 6, "value": who["id"]}]
    resolved_member = {k: v for k, v in member(who, roles).items() if k != "user"}
    data = {"id": str(harness.rec.next_id()), "name": "queue", "type": 1,
            "options": [{"name": "assign", "type": 1, "options": options}],
            "resolved": {"users": {who["id"]: who}, "members": {who["id"]: resolved_member}}}
    payload = harness._interaction(2, data, who=by, roles=(STAFF_ROLE_ID,), channel_id=STAFF_CHANNEL_ID, dm=False,
                                   message=None)
    return await harness.feed_interaction(payload)


async def test_release_assign_reopen_on_the_card(harness: Harness):
    n = (await harness.ask_and_pass_on(NO_MATCH)).number
    card = harness.staff_card(n)
    assert [(b["label"], b["disabled"]) for b in buttons(card) if b["label"] in ("Release", "Assign", "Reopen")] == [
        ("Release", True), ("Assign", False), ("Reopen", True)]
    assert {b["custom_id"] for b in buttons(card)} >= {f"admissionsbot:staff:{a}:{n}"
                                                       for a in ("release", "assign", "reopen")}
    await harness.click(card, f"admissionsbot:staff:claim:{n}", **AS_STAFF)
    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:release:{n}", **AS_STAFF)
    assert f"Ticket #{n} is open again" in followup_text(harness, token)
    assert harness.service.desk.ticket(n).status is TicketStatus.OPEN
    assert "Claimed by" not in card_fields(harness, n)

    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:assign:{n}", **AS_STAFF)
    [picker] = harness.messages_for(token)
    assert picker["flags"] & 64 and f"Assign ticket #{n} to:" in picker["content"]
    token = await harness.feed_interaction(pick_member(harness, picker, OTHER, ()))
    assert "not on the admissions team" in followup_text(harness, token)
    assert harness.service.desk.ticket(n).claimed_by is None
    await harness.feed_interaction(pick_member(harness, picker, BEA, (STAFF_ROLE_ID,)))
    ticket = harness.service.desk.ticket(n)
    assert ticket.status is TicketStatus.CLAIMED and ticket.claimed_by == Staff("discord", "6001")
    assert card_fields(harness, n)["Claimed by"] == "bea (<@6001>)"
    [note] = staff_notes(harness)
    assert note.json["content"] == f"📌 <@6001>: ada assigned ticket #{n} to you."
    assert note.json["allowed_mentions"]["users"] == [6001] and note.json["allowed_mentions"]["parse"] == []

    await harness.slash("queue", {"number": n, "reason": "done"}, sub="close", **AS_STAFF)
    enabled = [b["label"] for b in buttons(harness.staff_card(n)) if not b["disabled"]]
    assert "Reopen" in enabled and "Claim" not in enabled
    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:reopen:{n}", **AS_STAFF)
    assert "open again" in followup_text(harness, token)
    assert harness.service.desk.ticket(n).status is TicketStatus.OPEN
    actions = [e.action for e in harness.service.desk.ticket(n).events if e.action not in ("staff_posted",)]
    assert actions == ["created", "claimed", "released", "assigned", "closed", "reopened"]


async def test_queue_commands_for_hand_over(harness: Harness):
    n = (await harness.ask_and_pass_on(NO_MATCH)).number
    bea_roles = {"who": BEA, "roles": (STAFF_ROLE_ID,)}
    await harness.slash("queue", {"number": n}, sub="claim", **bea_roles)
    token = await harness.slash("queue", {"number": n}, sub="release", **AS_STAFF)
    assert "claimed by bea; only they can release it for another" in followup_text(harness, token)
    token = await assign_command(harness, n, STAFF, (STAFF_ROLE_ID,), by=BEA)
    assert f"Ticket #{n} is now with ada" in followup_text(harness, token)
    assert harness.service.desk.ticket(n).claimed_by == ADA
    token = await assign_command(harness, n, OTHER, ())
    assert "other is not on the admissions team" in followup_text(harness, token)
    token = await harness.slash("queue", {"number": n}, sub="reopen", **AS_STAFF)
    assert "not closed" in followup_text(harness, token)
    await harness.slash("queue", {"number": n}, sub="release", **AS_STAFF)
    assert harness.service.desk.ticket(n).status is TicketStatus.OPEN
    token = await harness.slash("queue", {"number": n}, sub="release", who=OTHER, roles=())
    assert "Only the admissions team" in followup_text(harness, token)


async def test_a_staff_rename_mid_ticket_keeps_the_claim(harness: Harness):
    """Claimed as ada, renamed to ada_new (same Discord id): she still replies, and the card shows the new name."""
    n = (await harness.ask_and_pass_on(NO_MATCH)).number
    await harness.click(harness.staff_card(n), f"admissionsbot:staff:claim:{n}", **AS_STAFF)
    assert card_fields(harness, n)["Claimed by"] == "ada (<@6000>)"
    renamed = user(6000, "ada_new")
    token = await harness.slash("queue", {"number": n, "text": "Sunny."}, sub="reply", who=renamed,
                                roles=(STAFF_ROLE_ID,))
    assert "sent to the student by DM" in followup_text(harness, token)
    ticket = harness.service.desk.ticket(n)
    assert ticket.claimed_by == ADA and ticket.claimed_by is not None and ticket.claimed_by.name == "ada_new"
    assert card_fields(harness, n)["Claimed by"] == "ada_new (<@6000>)"
    assert "**ada_new:** Sunny." in card_fields(harness, n)["Replies"]
    token = await harness.slash("queue", {"number": n, "text": "Me too"}, sub="reply", who=BEA, roles=(STAFF_ROLE_ID,))
    assert "claimed by ada_new; only they can reply" in followup_text(harness, token)


async def test_a_student_answers_a_staff_reply_from_the_dm(harness: Harness):
    n = (await harness.ask_and_pass_on(NO_MATCH)).number
    await harness.slash("queue", {"number": n}, sub="claim", **AS_STAFF)
    await harness.slash("queue", {"number": n, "text": "Which planet?"}, sub="reply", **AS_STAFF)
    [dm] = harness.rec.dms()
    assert [b["custom_id"] for b in buttons(dm.response)] == [f"admissionsbot:followup:{n}"]
    token = await harness.click(dm.response, f"admissionsbot:followup:{n}", dm=True)
    modal = harness.modal_from(token)
    assert modal["title"] == f"Reply on ticket #{n}"
    token = await harness.submit_modal(modal, {"Your message to the admissions team": "Mars, please."}, dm=True,
                                       channel_id=int(dm.response["channel_id"]))
    assert f"added to ticket #{n}" in followup_text(harness, token)
    ticket = harness.service.desk.ticket(n)
    assert ticket.status is TicketStatus.CLAIMED and [f.text for f in ticket.followups] == ["Mars, please."]
    assert len(harness.service.desk.tickets()) == 1  # added to that ticket, not filed as a new one
    [note] = staff_notes(harness)
    assert note.json["content"] == f"💬 <@6000>: the student answered on ticket #{n} (claimed by you):\n> Mars, please."
    assert note.json["allowed_mentions"]["users"] == [6000]
    assert harness.staff_card(n)["embeds"][0]["title"].endswith("claimed")
    assert "Mars, please." in card_fields(harness, n)["The student wrote back (1)"]
    await harness.bot.followups.announce_pending()
    assert len(staff_notes(harness)) == 1  # told once


async def test_reply_buttons_in_mytickets_and_only_for_the_asker(harness: Harness):
    n = (await harness.ask_and_pass_on(NO_MATCH)).number
    harness.service.desk.claim(n, ADA)
    harness.service.desk.reply(n, ADA, "Which planet?")
    token = await harness.slash("mytickets")
    [listing] = [m for m in harness.messages_for(token) if buttons(m)]
    assert [(b["label"], b["custom_id"]) for b in buttons(listing)] == [
        (f"Reply to #{n}", f"admissionsbot:followup:{n}")]
    token = await harness.click(listing, f"admissionsbot:followup:{n}", who=OTHER, roles=())
    token = await harness.submit_modal(harness.modal_from(token), {"Your message to the admissions team": "mine now"},
                                       who=OTHER, roles=())
    text = followup_text(harness, token)
    assert f"There is no ticket #{n}." in text and "mine now" in text  # refused, and the typing is given back
    assert harness.service.desk.ticket(n).followups == ()


async def test_console_follow_ups_are_announced_by_the_retry_pass(harness: Harness):
    sam = Asker("console", "sam", "Sam", "console", private=True)
    n = harness.service.desk.file_question(sam, "parking?", FiledReason.NO_MATCH).number
    harness.service.desk.follow_up(sam, n, "Also bikes?")
    await harness.bot.followups.announce_pending()
    [note] = staff_notes(harness)
    assert note.json["content"] == f"💬 The student answered on ticket #{n} (open, unclaimed):\n> Also bikes?"
    assert not note.json["allowed_mentions"].get("users")
    await harness.bot.followups.announce_pending()
    assert len(staff_notes(harness)) == 1


async def test_a_failed_notice_is_retried(harness: Harness):
    n = (await harness.ask_and_pass_on(NO_MATCH)).number
    harness.service.desk.claim(n, ADA)
    student = harness.service.desk.ticket(n).asker
    harness.rec.fail(lambda c: c.channel_id == STAFF_CHANNEL_ID and c.method == "POST", server_error, 1)
    harness.service.desk.follow_up(student, n, "hello?")
    await harness.bot.followups.announce_pending()
    assert staff_notes(harness) == []
    await harness.bot.followups.announce_pending()
    assert len(staff_notes(harness)) == 1
