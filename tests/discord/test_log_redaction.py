"""DEBUG logs never carry interaction tokens, bot tokens, bodies or email addresses (issue 11, item 3)."""

from __future__ import annotations

import inspect
import io
import logging

import discord.gateway
import discord.http
import discord.webhook.async_
import pytest

from admissionsbot.adapters.discord import log_redaction

INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnNlY3JldHRva2Vu"
TOUR_EVENT = {
    "op": 0, "t": "INTERACTION_CREATE",
    "d": {"id": "1", "token": INTERACTION_TOKEN, "type": 5,
          "data": {"components": [{"components": [{"custom_id": "email", "value": "sam@example.com"}]}]}},
}


@pytest.fixture
def captured():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.DEBUG)
    log_redaction.install(root)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old)


def test_discord_py_still_logs_with_the_formats_we_redact():
    """If discord.py changes these lines, this fails and the filter must follow."""
    http = inspect.getsource(discord.http)
    gateway = inspect.getsource(discord.gateway)
    webhook = inspect.getsource(discord.webhook.async_)
    assert "'%s %s with %s has returned %s', method, url, kwargs.get('data')" in http
    assert "'%s %s has received %s', method, url, data" in http
    assert "'For Shard ID %s: WebSocket Event: %s', self.shard_id, msg" in gateway
    assert "'Webhook ID %s with %s %s has returned status code %s'" in webhook


def test_bodies_tokens_and_emails_are_withheld(captured):
    url = f"https://discord.com/api/v10/interactions/123456789012345678/{INTERACTION_TOKEN}/callback"
    body = '{"type": 4, "data": {"embeds": [{"fields": [{"name": "Email", "value": "sam@example.com"}]}]}}'
    logging.getLogger("discord.http").debug("%s %s with %s has returned %s", "POST", url, body, 204)
    logging.getLogger("discord.http").debug("%s %s has received %s", "GET", url, {"token": INTERACTION_TOKEN})
    logging.getLogger("discord.gateway").debug("For Shard ID %s: WebSocket Event: %s", None, TOUR_EVENT)
    hook = f"https://discord.com/api/v10/webhooks/123456789012345678/{INTERACTION_TOKEN}/messages/@original"
    logging.getLogger("discord.webhook.async_").debug(
        "Webhook ID %s with %s %s has returned status code %s", 123456789012345678, "PATCH", hook, 200)
    logging.getLogger("admissionsbot.x").warning(
        "token MTA1MjQ3NjA1MjQ3NjA1MjQ3.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789 leaked")
    out = captured.getvalue()
    assert INTERACTION_TOKEN not in out and "sam@example.com" not in out and "abcdefghijklmnopqrstuvwxyz0123" not in out
    assert out.count("[body withheld]") == 3 and "t INTERACTION_CREATE" in out
    assert "/interactions/123456789012345678/[token]/callback" in out and "/webhooks/123456789012345678/[token]" in out


def test_ordinary_messages_pass_unchanged(captured):
    logging.getLogger("admissionsbot.answers").info("Posted ticket %s to staff", 12)
    assert captured.getvalue().strip() == "Posted ticket 12 to staff"
