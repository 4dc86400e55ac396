"""Students: /ask, plain messages (DM, help channel, mention), clarify, hand-offs, /mytickets."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from conftest import SOURCE_TITLE
from harness import (
    BOT_USER,
    DM_CHANNEL_ID,
    GENERAL_CHANNEL_ID,
    GUILD_ID,
    HANDOFF_QUESTION,
    HELP_CHANNEL_ID,
    NO_MATCH,
    STAFF,
    STAFF_CHANNEL_ID,
    STAFF_ROLE_ID,
    STUDENT,
    STUDENT_ID,
    Harness,
    buttons,
    force_close_calls,
    text_of,
)

from admissionsbot.adapters.discord import answers
from admissionsbot.core.models import Action, FiledReason, Staff, TicketKind, TicketStatus

ADA = Staff("discord", "6000", "ada")

ANSWER_LABELS = ["Helpful", "Not what I asked", "Talk to admissions", "Book a campus tour"]


def only(items: list):
    assert len(items) == 1, items
    return items[0]


async def test_ask_answers_with_source_and_four_buttons(harness: Harness):
    token = await harness.slash("ask", {"question": "Do internships pay?"})
    body = only(harness.rec.replies_to(token))
    assert body["flags"] & 64  # ephemeral
    [embed] = body["embeds"]
    assert embed["title"] == "Do internships pay?"
    assert "unpaid" in embed["description"]
    assert {"name": "Source", "value": SOURCE_TITLE, "inline": False} in embed["fields"]
    assert "career-after-graduation" not in text_of(body)  # the internal file name is never shown
    assert embed["footer"]["text"] == "You asked: Do internships pay?"
    assert [b["label"] for b in buttons(body)] == ANSWER_LABELS
    assert all(b["custom_id"].startswith("admissionsbot:") and len(b["custom_id"]) <= 100 for b in buttons(body))


@pytest.mark.parametrize("where", ["dm", "help", "mention"])
async def test_plain_messages_are_answered(harness: Harness, where: str):
    if where == "dm":
        await harness.say("Do internships pay?", dm=True, channel_id=DM_CHANNEL_ID)
        channel = DM_CHANNEL_ID
    elif where == "help":
        await harness.say("Do internships pay?", channel_id=HELP_CHANNEL_ID)
        channel = HELP_CHANNEL_ID
    else:
        await harness.say(f"<@{BOT_USER['id']}> Do internships pay?", channel_id=GENERAL_CHANNEL_ID,
                          mentions=[BOT_USER])
        channel = GENERAL_CHANNEL_ID
    reply = only(harness.rec.channel_posts(channel)).json
    assert reply["embeds"][0]["title"] == "Do internships pay?"
    assert reply["embeds"][0]["footer"]["text"] == "You asked: Do internships pay?"  # the mention was stripped
    assert {"name": "Source", "value": SOURCE_TITLE, "inline": False} in reply["embeds"][0]["fields"]
    assert [b["label"] for b in buttons(reply)] == ANSWER_LABELS
    assert reply["message_reference"]["fail_if_not_exists"] is False
    assert reply["allowed_mentions"]["replied_user"] is False


async def test_an_answer_whose_source_has_no_title_shows_no_source(harness: Harness, faq_dir):
    (faq_dir / "_sources.yaml").unlink()
    token = await harness.slash("faq", {}, sub="reload", who=STAFF, roles=(STAFF_ROLE_ID,))
    assert "FAQ reloaded" in harness.rec.followups(token)[0]["content"]
    assert harness.service.answerer.knowledge.source_title("career-after-graduation.txt") == ""
    body = only(harness.rec.replies_to(await harness.slash("ask", {"question": "Do internships pay?"})))
    await harness.say("Do internships pay?", dm=True, channel_id=DM_CHANNEL_ID)
    for answer in (body, only(harness.rec.channel_posts(DM_CHANNEL_ID)).json):
        [embed] = answer["embeds"]
        assert embed["title"] == "Do internships pay?"
        assert "Source" not in [f["name"] for f in embed.get("fields", [])]
        assert "career-after-graduation" not in text_of(answer)  # never the internal file name instead


async def test_messages_the_bot_must_not_answer(harness: Harness):
    await harness.say("Do internships pay?", channel_id=GENERAL_CHANNEL_ID)  # no mention, not a help channel
    await harness.say("Do internships pay?", who=dict(STUDENT, id="5555", bot=True))  # another bot
    await harness.say("Do internships pay?", webhook_id=4242)  # a webhook
    await harness.say(f"<@{BOT_USER['id']}> Do internships pay?", channel_id=STAFF_CHANNEL_ID, mentions=[BOT_USER])
    assert harness.rec.calls == []


async def test_bare_mention_gets_a_hint(harness: Harness):
    await harness.say(f"<@{BOT_USER['id']}>", channel_id=GENERAL_CHANNEL_ID, mentions=[BOT_USER])
    assert "/ask" in only(harness.rec.channel_posts(GENERAL_CHANNEL_ID)).json["content"]


async def test_clarify_then_pick_a_did_you_mean(harness: Harness):
    question = force_close_calls(harness.service)
    token = await harness.slash("ask", {"question": question})
    message = only(harness.messages_for(token))
    picks = [b for b in buttons(message) if b["custom_id"].startswith("admissionsbot:pick:")]
    assert 1 <= len(picks) <= 3
    assert buttons(message)[-1]["label"] == "None of these: ask the admissions team"
    assert message["embeds"][0]["footer"]["text"] == f"You asked: {question}"

    chosen = picks[0]
    token2 = await harness.click(message, chosen["custom_id"])
    answer = only(harness.rec.replies_to(token2))
    assert answer["embeds"][0]["title"] == chosen["label"]
    assert answer["embeds"][0]["footer"]["text"] == f"You asked: {question}"
    assert answer["flags"] & 64


async def test_none_of_these_files_a_ticket(harness: Harness):
    question = force_close_calls(harness.service)
    message = only(harness.messages_for(await harness.slash("ask", {"question": question})))
    token = await harness.click(message, "admissionsbot:nomatch")
    [ticket] = harness.service.desk.tickets()
    assert ticket.question == question and ticket.kind is TicketKind.QUESTION
    assert ticket.reason is FiledReason.NONE_OF_THESE and ticket.rejected_entry is None
    assert ticket.candidates  # re-ranked for the staff card
    [body] = harness.rec.replies_to(token)
    text = body["content"]
    assert body["flags"] & 64
    assert f"#{ticket.number}" in text and "/mytickets" in text and "direct message" in text
    assert harness.service.desk.ticket(ticket.number).staff_post_ref


async def test_escalation_persists_before_telling_then_posts_for_staff(harness: Harness, monkeypatch):
    """A slow filing (past DEFER_AFTER_SECONDS) is deferred, then told in a followup once persisted."""
    seen_at_tell: list[int] = []

    def when_told(call):
        if call.api == "webhook" and not call.path.endswith("/callback") and "ticket" in str(call.json):
            seen_at_tell.append(len(harness.service.desk.tickets()))

    [offer] = harness.messages_for(await harness.slash("ask", {"question": NO_MATCH}))
    assert harness.service.desk.tickets() == []  # an offer files nothing
    file_question = harness.service.desk.file_question

    def slow_file(*args, **kwargs):
        __import__("time").sleep(0.2)
        return file_question(*args, **kwargs)

    monkeypatch.setattr(harness.service.desk, "file_question", slow_file)
    monkeypatch.setattr(answers, "DEFER_AFTER_SECONDS", 0.05)
    harness.rec.on_call.append(when_told)
    start = len(harness.rec.sent())
    token = await harness.click(offer, "admissionsbot:offer")
    assert seen_at_tell == [1]  # the ticket was in the database when the student was told
    calls = harness.rec.sent()[start:]
    defer = calls[0].json
    assert defer["type"] == 5 and defer["data"]["flags"] & 64
    told = [i for i, c in enumerate(calls) if c.api == "webhook" and not c.path.endswith("/callback")]
    posted = [i for i, c in enumerate(calls) if c.channel_id == STAFF_CHANNEL_ID]
    assert told and posted and told[0] < posted[0]
    [ticket] = harness.service.desk.tickets()
    assert ticket.reason is FiledReason.NO_MATCH and ticket.rejected_entry is None
    assert f"#{ticket.number}" in harness.rec.followups(token)[0]["content"]
    card = only(harness.staff_posts()).json
    [embed] = card["embeds"]
    assert embed["title"] == f"Ticket #{ticket.number} · Question · open"
    assert NO_MATCH in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert f"<@{STUDENT_ID}>" in fields["Asker"]
    # not the ephemeral offer
    assert fields["Asked in"] == f"[jump to message](https://discord.com/channels/{GUILD_ID}/{HELP_CHANNEL_ID})"
    assert fields["Why it came to staff"] == "no match"
    assert [b["label"] for b in buttons(card)][:3] == ["Claim", "Reply", "Close"]  # then hand-over, learning
    assert [b["custom_id"] for b in buttons(card)][:3] == [f"admissionsbot:staff:{a}:{ticket.number}"
                                                          for a in ("claim", "reply", "close")]


async def test_candidates_with_scores_on_the_staff_card(harness: Harness):
    question = force_close_calls(harness.service)
    message = only(harness.messages_for(await harness.slash("ask", {"question": question})))
    await harness.click(message, "admissionsbot:nomatch")
    fields = {f["name"]: f["value"] for f in only(harness.staff_posts()).json["embeds"][0]["fields"]}
    assert "Do internships pay?" in fields["Top FAQ matches"] and "`internship-pay`" in fields["Top FAQ matches"]


async def test_handoff_topic_in_a_message_files_a_ticket(harness: Harness):
    assert harness.service.answerer.ask(HANDOFF_QUESTION).reason == "handoff"
    await harness.say(HANDOFF_QUESTION)
    [ticket] = harness.service.desk.tickets()
    assert ticket.reason is FiledReason.HANDOFF
    reply = only(harness.rec.channel_posts(HELP_CHANNEL_ID)).json
    assert f"#{ticket.number}" in reply["content"]
    assert reply["content"].startswith("I can't quote tuition")  # the hand-off says why
    assert ticket.asker.location == str(HELP_CHANNEL_ID) and not ticket.asker.private
    assert only(harness.staff_posts())


async def test_outside_office_hours_the_student_is_told(harness: Harness):
    saturday = __import__("datetime").datetime(2024, 5, 4, 12, 0, tzinfo=__import__("datetime").UTC)
    harness.service.conversation.clock = lambda: saturday
    token = await harness.slash("ask", {"question": HANDOFF_QUESTION})
    text = only(harness.rec.replies_to(token))["content"]
    assert "#1" in text and "closed right now" in text and "Monday 09:00" in text


async def test_helpful_thanks_and_logs(harness: Harness, caplog):
    message = only(harness.messages_for(await harness.slash("ask", {"question": "Do internships pay?"})))
    token = await harness.click(message, "admissionsbot:ans:helpful:internship-pay")
    body = only(harness.rec.replies_to(token))
    assert body["flags"] & 64 and "Thanks" in body["content"]
    assert any("helpful: entry=internship-pay" in r.getMessage() and r.levelno == logging.INFO for r in caplog.records)
    [tally] = harness.service.desk.feedback()
    assert (tally.entry_id, tally.helpful, tally.not_helpful) == ("internship-pay", 1, 0)


async def test_not_what_i_asked_offers_other_candidates(harness: Harness):
    question = force_close_calls(harness.service)
    first = only(harness.messages_for(await harness.slash("ask", {"question": question})))
    shown = [b for b in buttons(first) if b["custom_id"].startswith("admissionsbot:pick:")][0]
    answer = only(harness.messages_for(await harness.click(first, shown["custom_id"])))
    entry_id = shown["custom_id"].rsplit(":", 1)[1]
    token = await harness.click(answer, f"admissionsbot:ans:other:{entry_id}")
    offer = only(harness.rec.replies_to(token))
    picks = [b["custom_id"] for b in buttons(offer) if b["custom_id"].startswith("admissionsbot:pick:")]
    assert picks and f"admissionsbot:pick:{entry_id}" not in picks
    assert buttons(offer)[-1]["custom_id"] == f"admissionsbot:nomatch:{entry_id}"  # carries the rejected answer
    assert [(t.entry_id, t.not_helpful) for t in harness.service.desk.feedback()] == [(entry_id, 1)]
    assert harness.service.desk.tickets() == []  # nothing filed yet

    token = await harness.click(only(harness.messages_for(token)), f"admissionsbot:nomatch:{entry_id}")
    [ticket] = harness.service.desk.tickets()
    assert ticket.question == question
    assert ticket.reason is FiledReason.REJECTED_ANSWER and ticket.rejected_entry == entry_id
    text = only(harness.rec.replies_to(token))["content"]
    assert f"#{ticket.number}" in text and "I don't have an answer" not in text
    why = {f["name"]: f["value"]
           for f in harness.staff_card(ticket.number)["embeds"][0]["fields"]}["Why it came to staff"]
    assert why.startswith("not what I asked") and f"`{entry_id}`" in why


async def test_not_what_i_asked_without_alternatives_offers_a_hand_off(harness: Harness, monkeypatch):
    monkeypatch.setattr(harness.service.answerer, "alternatives", lambda question, shown, limit=3: ())  # nothing else
    answer = only(harness.messages_for(await harness.slash("ask", {"question": "Do internships pay?"})))
    token = await harness.click(answer, "admissionsbot:ans:other:internship-pay")
    offer = only(harness.messages_for(token))
    assert offer["embeds"][0]["title"] == "Ask the admissions team?" and offer["flags"] & 64
    assert [(b["label"], b["custom_id"]) for b in buttons(offer)] == [
        ("Ask the admissions team", "admissionsbot:offer:internship-pay")]
    assert harness.service.desk.tickets() == []  # the offer alone files nothing
    assert [(t.entry_id, t.not_helpful) for t in harness.service.desk.feedback()] == [("internship-pay", 1)]

    token2 = await harness.click(offer, "admissionsbot:offer:internship-pay")
    [ticket] = harness.service.desk.tickets()
    assert ticket.question == "Do internships pay?"
    assert ticket.reason is FiledReason.REJECTED_ANSWER and ticket.rejected_entry == "internship-pay"
    text = only(harness.rec.replies_to(token2))["content"]
    assert f"#{ticket.number}" in text and "I don't have an answer" not in text and "missed" in text
    fields = {f["name"]: f["value"] for f in harness.staff_card(ticket.number)["embeds"][0]["fields"]}
    assert fields["Why it came to staff"] == "not what I asked (rejected answer: Do internships pay? `internship-pay`)"


async def test_talk_to_admissions_files_a_ticket_with_the_question(harness: Harness):
    await harness.say("Do internships pay?")
    answer = only(harness.replies_in(HELP_CHANNEL_ID))
    token = await harness.click(answer, "admissionsbot:ans:staff:internship-pay")
    [ticket] = harness.service.desk.tickets()
    assert ticket.question == "Do internships pay?" and ticket.status is TicketStatus.OPEN
    assert ticket.reason is FiledReason.REJECTED_ANSWER and ticket.rejected_entry == "internship-pay"
    assert ticket.asker.link.endswith(f"/{HELP_CHANNEL_ID}/{answer['id']}")  # a public answer: staff can jump to it
    body = only(harness.rec.replies_to(token))
    assert body["flags"] & 64  # told privately, though the answer was public
    assert f"#{ticket.number}" in body["content"] and "I don't have an answer" not in body["content"]
    fields = {f["name"]: f["value"] for f in harness.staff_card(ticket.number)["embeds"][0]["fields"]}
    assert fields["Why it came to staff"] == "not what I asked (rejected answer: Do internships pay? `internship-pay`)"


async def test_cooldown_for_slash_and_messages(harness: Harness):
    harness.bot.cooldown = type(harness.bot.cooldown)(2, 60.0)
    for _ in range(2):
        await harness.slash("ask", {"question": "Do internships pay?"})
    token = await harness.slash("ask", {"question": "Do internships pay?"})
    refusal = only(harness.rec.replies_to(token))
    assert refusal["flags"] & 64 and "wait" in refusal["content"]

    harness.bot.cooldown = type(harness.bot.cooldown)(1, 60.0)
    for _ in range(3):
        await harness.say("Do internships pay?")
    posts = harness.rec.channel_posts(HELP_CHANNEL_ID)
    assert len(posts) == 2  # one answer, one polite refusal, then silence
    assert "wait" in posts[1].json["content"]


async def test_open_ticket_cap(harness: Harness):
    harness.service.desk.max_live_tickets_per_asker = 1
    await harness.slash("ask", {"question": HANDOFF_QUESTION})
    assert len(harness.service.desk.tickets()) == 1
    token = await harness.slash("ask", {"question": "tuition fees"})  # another hand-off files at once: refused
    assert len(harness.service.desk.tickets()) == 1
    body = only(harness.rec.replies_to(token))
    assert "already have 1" in body["content"] and body["flags"] & 64

    [offer] = harness.messages_for(await harness.slash("ask", {"question": "how tall is the tallest tree on the moon"}))
    token = await harness.click(offer, "admissionsbot:offer")  # the offer is checked again when pressed
    assert len(harness.service.desk.tickets()) == 1
    body = only(harness.rec.replies_to(token))
    assert "already have 1" in body["content"] and body["flags"] & 64


async def test_mytickets(harness: Harness):
    token = await harness.slash("mytickets")
    assert "no requests" in harness.rec.followups(token)[0]["content"]
    ticket = await harness.ask_and_pass_on()
    harness.service.desk.claim(ticket.number, ADA)
    reply = harness.service.desk.reply(ticket.number, ADA, "It will be sunny.")  # recorded, not delivered
    token = await harness.slash("mytickets")
    shown = "\n".join(text_of(b) for b in harness.rec.followups(token))
    assert f"#{ticket.number}" in shown and "answered" in shown and "It will be sunny." in shown
    assert all(b["flags"] & 64 for b in harness.rec.followups(token))
    assert harness.service.desk.undelivered_replies() == []  # shown counts as delivered
    assert reply.id in {r.id for r in harness.service.desk.ticket(ticket.number).replies if r.delivered_at}


async def test_smalltalk_is_plain_text(harness: Harness):
    assert harness.service.answerer.ask("Good morning").action is Action.SMALLTALK
    token = await harness.slash("ask", {"question": "Good morning"})
    body = only(harness.rec.replies_to(token))
    assert body["content"].startswith("Hi!") and not body.get("components")


async def test_message_refused_by_the_service_gets_its_message(harness: Harness):
    await harness.say("???", dm=True, channel_id=DM_CHANNEL_ID)
    text = only(harness.rec.channel_posts(DM_CHANNEL_ID)).json["content"]
    assert "couldn't find a question" in text


def test_replace_keeps_decisions_frozen():
    """The flows build on dataclasses.replace of service Decisions (never mutate them)."""
    from admissionsbot.core.models import Decision

    d = Decision("q", Action.ESCALATE)
    assert replace(d, question="x").question == "x" and d.question == "q"


async def test_cooldown_covers_tour_picks_and_votes(harness: Harness):
    """Issue 11, item 5: /tour, tour submits, picks and Helpful count against the same cooldown."""
    answer = only(harness.messages_for(await harness.slash("ask", {"question": "Do internships pay?"})))
    harness.bot.cooldown = type(harness.bot.cooldown)(1, 60.0)
    harness.bot.cooldown.hit(str(STUDENT_ID))  # the window is used up
    for token in (await harness.slash("tour"),
                  await harness.click(answer, "admissionsbot:ans:helpful:internship-pay"),
                  await harness.click(answer, "admissionsbot:ans:other:internship-pay")):
        assert [c["type"] for c in harness.rec.callbacks(token)] == [4]  # a message, no form
        assert "wait" in text_of(only(harness.messages_for(token)))
    assert harness.service.desk.feedback() == []
