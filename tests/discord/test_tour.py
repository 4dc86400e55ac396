"""Campus tours: /tour, the tour intent, the form, validation, and privacy of contact details."""

from __future__ import annotations

import time

from harness import (
    DM_CHANNEL_ID,
    HANDOFF_QUESTION,
    HELP_CHANNEL_ID,
    STAFF_CHANNEL_ID,
    STUDENT_ID,
    Harness,
    buttons,
    text_of,
)

from admissionsbot.adapters.discord import answers
from admissionsbot.core.models import Asker, FiledReason, TicketKind

GOOD = {"Your name": "Robin Example", "Email": "robin@example.com", "Preferred dates/times": "Fridays after 2pm",
        "Notes (optional)": "Coming with a parent"}


def public_bodies(harness: Harness) -> list[dict]:
    """Every message body others could see: not ephemeral, not in the (private) staff channel."""
    out = []
    for c in harness.rec.sent():
        body = c.json or {}
        if c.path.endswith("/callback"):
            if body.get("type") not in (4, 7):
                continue
            body = body["data"]
        elif c.channel_id == STAFF_CHANNEL_ID or c.path == "/users/@me/channels":
            continue
        if body and not (body.get("flags") or 0) & 64:
            out.append(body)
    return out


async def test_tour_command_form_files_a_private_tour_ticket(harness: Harness):
    token = await harness.slash("tour")
    modal = harness.modal_from(token)
    assert modal["title"] == "Book a campus tour"
    labels = [c["label"] for row in modal["components"] for c in row["components"]]
    assert labels == list(GOOD)
    assert all(len(label) <= 45 for label in labels)

    token = await harness.submit_modal(modal, GOOD)
    [ticket] = harness.service.desk.tickets()
    assert ticket.kind is TicketKind.TOUR
    assert ticket.contact.email == "robin@example.com" and ticket.contact.notes == "Coming with a parent"
    [confirmation] = harness.rec.followups(token)
    assert confirmation["flags"] & 64
    assert f"#{ticket.number}" in text_of(confirmation) and "robin@example.com" in text_of(confirmation)
    card = harness.staff_card(ticket.number)
    details = {f["name"]: f["value"] for f in card["embeds"][0]["fields"]}["Tour details"]
    assert "robin@example.com" in details and "Fridays after 2pm" in details
    for body in public_bodies(harness):
        assert "robin@example.com" not in text_of(body) and "Robin Example" not in text_of(body)


async def test_bad_email_is_refused_clearly_and_nothing_is_lost(harness: Harness):
    token = await harness.slash("tour")
    bad = dict(GOOD, Email="robin-at-example")
    token = await harness.submit_modal(harness.modal_from(token), bad)
    assert harness.service.desk.tickets() == []
    [error] = harness.rec.followups(token)
    assert error["flags"] & 64
    assert "doesn't look like an email address" in error["content"]
    assert "Robin Example" in error["content"] and "Fridays after 2pm" in error["content"]  # echoed back
    [fix] = buttons(error)
    assert fix["label"] == "Fix my tour request"

    [message] = harness.messages_for(token)
    token = await harness.click(message, fix["custom_id"])
    modal = harness.modal_from(token)
    values = {c["label"]: c.get("value") for row in modal["components"] for c in row["components"]}
    assert values == bad  # the form reopens pre-filled
    await harness.submit_modal(modal, dict(bad, Email="robin@example.com"))
    [ticket] = harness.service.desk.tickets()
    assert ticket.contact.email == "robin@example.com"
    for body in public_bodies(harness):
        assert "robin" not in text_of(body).lower()


async def test_tour_intent_in_ask_opens_the_form(harness: Harness):
    token = await harness.slash("ask", {"question": "Can I book a campus tour?"})
    modal = harness.modal_from(token)
    await harness.submit_modal(modal, GOOD)
    [ticket] = harness.service.desk.tickets()
    assert ticket.kind is TicketKind.TOUR and ticket.question == "Can I book a campus tour?"
    assert ticket.reason is FiledReason.TOUR


async def test_tour_intent_in_a_message_offers_the_tour_button_first(harness: Harness):
    await harness.say("Can I book a campus tour?")
    [answer] = harness.replies_in(HELP_CHANNEL_ID)
    [embed] = answer["embeds"]
    assert embed["title"] == "Campus tour" and embed["description"] == "We'd love to show you around."
    assert embed["footer"]["text"] == "You asked: Can I book a campus tour?"
    [first] = buttons(answer)  # the tour button alone: no Helpful / Not what I asked under a form offer
    assert first["label"] == "Book a campus tour" and first["style"] == 1
    assert first["custom_id"] == "admissionsbot:tour:asked"
    assert harness.service.desk.tickets() == []  # nothing is filed before the form is submitted
    token = await harness.click(answer, "admissionsbot:tour:asked")
    await harness.submit_modal(harness.modal_from(token), GOOD)
    [ticket] = harness.service.desk.tickets()
    assert ticket.question == "Can I book a campus tour?"  # the student's words go with the request
    for body in public_bodies(harness):
        assert "robin@example.com" not in text_of(body)


async def test_tour_button_under_any_answer(harness: Harness):
    token = await harness.slash("ask", {"question": "Do internships pay?"})
    [answer] = harness.messages_for(token)
    token = await harness.click(answer, "admissionsbot:tour")
    await harness.submit_modal(harness.modal_from(token), GOOD)
    [ticket] = harness.service.desk.tickets()
    assert ticket.question == "Campus tour request"  # not "Do internships pay?"


# -- the open-ticket cap: checked before the form opens, and again when it is submitted ------------
def at_cap(harness: Harness) -> None:
    """The student already has one live ticket; the cap is one."""
    harness.service.desk.max_live_tickets_per_asker = 1
    student = Asker("discord", str(STUDENT_ID), "Stu", str(HELP_CHANNEL_ID))
    harness.service.desk.file_question(student, HANDOFF_QUESTION, FiledReason.HANDOFF)


def assert_refused_without_a_form(harness: Harness, token: str) -> None:
    callbacks = harness.rec.callbacks(token)
    assert not [c for c in callbacks if c["type"] == 9], "a form was opened at the cap"
    [body] = harness.rec.replies_to(token)
    assert body["flags"] & 64 and "already have 1 requests" in body["content"]
    assert len(harness.service.desk.tickets()) == 1


async def test_tour_command_at_the_cap_is_refused_without_a_form(harness: Harness):
    at_cap(harness)
    assert_refused_without_a_form(harness, await harness.slash("tour"))
    assert_refused_without_a_form(harness, await harness.slash("tour", dm=True, channel_id=DM_CHANNEL_ID))


async def test_tour_buttons_and_questions_at_the_cap_are_refused_without_a_form(harness: Harness):
    [answer] = harness.messages_for(await harness.slash("ask", {"question": "Do internships pay?"}))
    await harness.say("Can I book a campus tour?")
    [tour_offer] = harness.replies_in(HELP_CHANNEL_ID)
    at_cap(harness)
    assert_refused_without_a_form(harness, await harness.click(answer, "admissionsbot:tour"))
    assert_refused_without_a_form(harness, await harness.click(tour_offer, "admissionsbot:tour:asked"))
    assert_refused_without_a_form(harness, await harness.slash("ask", {"question": "Can I book a campus tour?"}))
    await harness.say("Can I book a campus tour?")  # by message: the refusal, not a tour button
    refusal = harness.rec.channel_posts(HELP_CHANNEL_ID)[-1].json
    assert "already have 1 requests" in refusal["content"] and not buttons(refusal)


async def test_cap_reached_while_the_form_was_open_is_refused_at_filing(harness: Harness):
    harness.service.desk.max_live_tickets_per_asker = 1
    modal = harness.modal_from(await harness.slash("tour"))  # below the cap: the form opens
    await harness.slash("ask", {"question": HANDOFF_QUESTION})  # meanwhile a hand-off reaches the cap
    token = await harness.submit_modal(modal, GOOD)
    assert [t.kind for t in harness.service.desk.tickets()] == [TicketKind.QUESTION]  # checked again, atomically
    [error] = harness.rec.followups(token)
    assert error["flags"] & 64 and "already have 1 requests" in error["content"]
    assert "Fridays after 2pm" in error["content"]  # what was typed is not lost
    assert [b["label"] for b in buttons(error)] == ["Fix my tour request"]


async def test_a_slow_tour_check_shows_the_button_and_keeps_the_students_words(harness: Harness, monkeypatch):
    """Deferred (a modal must be the first answer): the tour button instead, carrying the question."""
    request_tour = harness.service.conversation.request_tour

    def slow(*args, **kwargs):
        time.sleep(0.2)
        return request_tour(*args, **kwargs)

    monkeypatch.setattr(harness.service.conversation, "request_tour", slow)
    monkeypatch.setattr(answers, "DEFER_AFTER_SECONDS", 0.05)
    token = await harness.slash("ask", {"question": "Can I book a campus tour?"})
    assert [c["type"] for c in harness.rec.callbacks(token)] == [5]  # deferred, so no modal is possible
    [offer] = harness.messages_for(token)  # the followup after the defer
    assert offer["embeds"][0]["title"] == "Campus tour"
    assert offer["embeds"][0]["footer"]["text"] == "You asked: Can I book a campus tour?"
    assert [b["custom_id"] for b in buttons(offer)] == ["admissionsbot:tour:asked"]

    monkeypatch.setattr(harness.service.conversation, "request_tour", request_tour)
    token = await harness.click(offer, "admissionsbot:tour:asked")
    await harness.submit_modal(harness.modal_from(token), GOOD)
    [ticket] = harness.service.desk.tickets()
    assert ticket.kind is TicketKind.TOUR and ticket.question == "Can I book a campus tour?"
