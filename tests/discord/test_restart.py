"""Persistent buttons: a fresh bot on the same database rebuilds every button from its custom id."""

from __future__ import annotations

from harness import STAFF, STAFF_ROLE_ID, Harness, buttons, force_close_calls

from admissionsbot.core.models import TicketStatus

AS_STAFF = {"who": STAFF, "roles": (STAFF_ROLE_ID,)}


async def test_buttons_work_after_a_restart(harness: Harness):
    answer = harness.messages_for(await harness.slash("ask", {"question": "Do internships pay?"}))[0]
    question = force_close_calls(harness.service)
    clarify = harness.messages_for(await harness.slash("ask", {"question": question}))[0]
    ticket = await harness.ask_and_pass_on("what is the weather on mars today")
    card = harness.staff_card(ticket.number)
    offer = harness.messages_for(
        await harness.slash("ask", {"question": "how tall is the tallest tree on the moon"})
    )[0]
    old_bot = harness.bot

    await harness.restart()
    assert harness.bot is not old_bot
    assert harness.bot._connection._view_store._views.get(None, {}) == {}  # nothing kept in memory: ids only

    token = await harness.click(card, f"admissionsbot:staff:claim:{ticket.number}", **AS_STAFF)
    assert harness.service.desk.ticket(ticket.number).status is TicketStatus.CLAIMED
    assert "claimed" in harness.rec.followups(token)[0]["content"]

    pick = [b for b in buttons(clarify) if b["custom_id"].startswith("admissionsbot:pick:")][0]
    token = await harness.click(clarify, pick["custom_id"])
    assert harness.rec.replies_to(token)[0]["embeds"][0]["footer"]["text"] == f"You asked: {question}"

    token = await harness.click(answer, "admissionsbot:ans:staff:internship-pay")
    assert harness.service.desk.tickets()[0].question == "Do internships pay?"
    assert harness.service.desk.tickets()[0].rejected_entry == "internship-pay"
    token = await harness.click(offer, "admissionsbot:offer")
    assert harness.service.desk.tickets()[0].question == "how tall is the tallest tree on the moon"
    token = await harness.click(answer, "admissionsbot:tour")
    assert harness.modal_from(token)["title"] == "Book a campus tour"


async def test_a_button_for_an_entry_removed_from_the_faq(harness: Harness):
    clarify_like = {
        "id": "1", "channel_id": "2001",
        "author": {"id": "9000", "username": "bot", "discriminator": "0", "avatar": None},
        "content": "", "timestamp": "2024-05-01T12:00:00+00:00", "edited_timestamp": None, "tts": False,
        "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [], "pinned": False, "type": 0,
        "embeds": [{"type": "rich", "title": "Did you mean…?", "footer": {"text": "You asked: old question"}}],
        "components": [{"type": 1, "components": [{"type": 2, "style": 2, "label": "Gone",
                                                   "custom_id": "admissionsbot:pick:gone-entry"}]}],
        "flags": 64,
    }
    token = await harness.click(clarify_like, "admissionsbot:pick:gone-entry")
    assert "no longer in our FAQ" in harness.rec.replies_to(token)[0]["content"]
