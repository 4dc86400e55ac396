"""The global error handler: a short ephemeral apology, the traceback in the log, never two answers."""

from __future__ import annotations

import logging

import discord
import pytest
from harness import HANDOFF_QUESTION, HELP_CHANNEL_ID, Harness, text_of

APOLOGY = "Sorry, something went wrong on my side"


def bot_errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("admissionsbot") and r.levelno >= logging.ERROR]


def answers(harness: Harness, token: str) -> tuple[list[dict], list[dict]]:
    return harness.rec.callbacks(token), harness.rec.followups(token)


@pytest.mark.allow_errors
async def test_bug_before_answering_gets_one_ephemeral_apology(harness: Harness, caplog):
    async def boom(interaction):
        raise RuntimeError("bug in my_tickets")

    harness.bot.student.my_tickets = boom
    token = await harness.slash("mytickets")
    callbacks, followups = answers(harness, token)
    assert len(callbacks) == 1 and followups == []
    assert callbacks[0]["type"] == 4 and callbacks[0]["data"]["flags"] & 64
    assert callbacks[0]["data"]["content"].startswith(APOLOGY)
    [record] = bot_errors(caplog)
    assert record.exc_info and "bug in my_tickets" in str(record.exc_info[1])


@pytest.mark.allow_errors
async def test_bug_after_deferring_apologises_in_a_followup(harness: Harness, caplog, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database melted")

    monkeypatch.setattr(harness.service.desk, "tickets_for", broken)
    token = await harness.slash("mytickets")
    callbacks, followups = answers(harness, token)
    assert [c["type"] for c in callbacks] == [5]  # deferred once, never answered again
    assert len(followups) == 1 and followups[0]["content"].startswith(APOLOGY) and followups[0]["flags"] & 64
    assert len(bot_errors(caplog)) == 1


@pytest.mark.allow_errors
async def test_bug_in_a_button_is_answered_not_swallowed(harness: Harness, caplog):
    [answer] = harness.messages_for(await harness.slash("ask", {"question": "Do internships pay?"}))

    async def boom(interaction, entry_id):
        raise RuntimeError("button bug")

    harness.bot.student.helpful = boom
    token = await harness.click(answer, "admissionsbot:ans:helpful:internship-pay")
    callbacks, _ = answers(harness, token)
    assert len(callbacks) == 1 and callbacks[0]["data"]["content"].startswith(APOLOGY)
    assert "button bug" in str(bot_errors(caplog)[0].exc_info[1])


@pytest.mark.allow_errors
async def test_bug_in_a_modal_is_answered(harness: Harness, caplog):
    modal = harness.modal_from(await harness.slash("tour"))

    async def boom(*args):
        raise RuntimeError("modal bug")

    harness.bot.student.submit_tour = boom
    token = await harness.submit_modal(modal, {"Your name": "A", "Email": "a@example.com",
                                               "Preferred dates/times": "x"})
    callbacks, _ = answers(harness, token)
    assert len(callbacks) == 1 and callbacks[0]["data"]["content"].startswith(APOLOGY)
    assert len(bot_errors(caplog)) == 1


async def test_service_errors_show_their_own_message_without_a_traceback(harness: Harness, caplog):
    token = await harness.slash("ask", {"question": "???"})
    [callback] = harness.rec.callbacks(token)
    assert "couldn't find a question" in callback["data"]["content"] and callback["data"]["flags"] & 64
    assert bot_errors(caplog) == []


@pytest.mark.allow_errors
async def test_an_expired_interaction_is_logged_not_retried(harness: Harness, caplog):
    """If Discord refuses the answer itself (unknown interaction), the handler gives up quietly."""
    from harness import _response

    harness.rec.fail(lambda c: c.path.endswith("/callback"),
                     lambda: discord.NotFound(_response(404), {"code": 10062, "message": "Unknown interaction"}))
    token = await harness.slash("ask", {"question": "Do internships pay?"})
    tries = [c for c in harness.rec.calls if c.path.endswith("/callback") and f"/{token}/" in c.url]
    assert len(tries) == 2  # the answer, then one apology attempt: no loop
    assert any("Could not answer interaction" in r.getMessage() for r in caplog.records)


async def test_message_flow_errors_are_answered_in_the_channel(harness: Harness):
    harness.service.desk.max_live_tickets_per_asker = 0
    await harness.say(HANDOFF_QUESTION)  # a hand-off files at once: the cap refuses it
    [post] = harness.rec.channel_posts(HELP_CHANNEL_ID)
    assert "already have 0 requests" in post.json["content"]
    assert harness.service.desk.tickets() == []


SECRET = "Cannot write the ticket database /srv/secret/path/tickets.sqlite3: disk I/O error (host db.internal user bot)"


def break_the_store(harness: Harness, monkeypatch) -> None:
    from admissionsbot.core.errors import StorageError

    def fail(*args, **kwargs):
        raise StorageError(SECRET)

    for name in ("create", "list_tickets", "for_asker"):
        monkeypatch.setattr(harness.service.desk.store, name, fail)


async def test_database_errors_never_reach_students_and_reach_staff_once(harness: Harness, monkeypatch):
    """Issue 11, item 2: no file path, host or driver in a (possibly public) reply; staff hear of it once."""
    from payloads import STAFF, STAFF_ROLE_ID

    break_the_store(harness, monkeypatch)
    await harness.say(HANDOFF_QUESTION, channel_id=HELP_CHANNEL_ID)  # a hand-off files at once, publicly
    [public] = harness.replies_in(HELP_CHANNEL_ID)
    token = await harness.slash("ask", {"question": HANDOFF_QUESTION})
    token2 = await harness.slash("mytickets")
    seen = [public] + harness.messages_for(token) + harness.messages_for(token2)
    for message in seen:
        text = text_of(message)
        assert "couldn't reach our records" in text and "/srv/secret" not in text and "db.internal" not in text
    notices = [c for c in harness.staff_posts() if "ticket database failed" in (c.json or {}).get("content", "")]
    assert len(notices) == 1 and "/srv/secret" in notices[0].json["content"]  # staff get the details, once
    staff_token = await harness.slash("queue", sub="list", who=STAFF, roles=(STAFF_ROLE_ID,), channel_id=2000)
    assert any("/srv/secret" in text_of(m) for m in harness.messages_for(staff_token))


@pytest.mark.parametrize("command", ["ask", "tour", "mytickets"])
async def test_student_commands_answer_only_in_our_server_or_dms(harness: Harness, command):
    """Issue 11, item 4: the guild rule of plain messages holds for every slash command too."""
    options = {"question": "Do internships pay?"} if command == "ask" else None
    payload = harness._interaction(2, {"id": "1", "name": command, "type": 1, "options": [
        {"name": k, "type": 3, "value": v} for k, v in (options or {}).items()]},
        who=__import__("payloads").STUDENT, roles=(), channel_id=HELP_CHANNEL_ID, dm=False, message=None)
    payload["guild_id"] = payload["channel"]["guild_id"] = "999999"  # another server the bot is in
    token = await harness.feed_interaction(payload)
    [message] = harness.messages_for(token)
    assert "only answer in the school's Discord server" in text_of(message)
    assert harness.rec.callbacks(token)[0]["type"] == 4  # no modal, no answer
    assert harness.service.desk.tickets() == []
    dm_token = await harness.slash(command, options, dm=True, channel_id=7000)  # DMs stay allowed
    assert all("only answer in" not in text_of(m) for m in harness.messages_for(dm_token))
