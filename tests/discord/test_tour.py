"""Campus tours: /tour, the tour intent, the form, validation, and privacy of contact details."""

from __future__ import annotations

from admissionsbot.core.models import TicketKind
from harness import HELP_CHANNEL_ID, STAFF_CHANNEL_ID, Harness, buttons, text_of

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


async def test_tour_intent_in_a_message_offers_the_tour_button_first(harness: Harness):
    await harness.say("Can I book a campus tour?")
    [answer] = harness.replies_in(HELP_CHANNEL_ID)
    first = buttons(answer)[0]
    assert first["label"] == "Book a campus tour" and first["style"] == 1
    assert first["custom_id"] == "admissionsbot:tour:asked"
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
