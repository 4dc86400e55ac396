"""Fixtures for the Discord adapter tests: a real service on SQLite, a tiny FAQ, the harness.

Every test also fails on any ERROR logged by discord.py (it logs instead of
raising) or by the bot itself (unless marked `allow_errors`), and on any
outgoing message that would allow a mention.
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import discord.http
import discord.webhook.async_
import pytest
from harness import GUILD_ID, HELP_CHANNEL_ID, STAFF_CHANNEL_ID, STAFF_ROLE_ID, Harness, Recorder

from admissionsbot.bootstrap import Assistant, build_assistant
from admissionsbot.config import Settings

FAQ = """\
- id: internship-pay
  question: Do internships pay?
  alternates:
    - are internships paid
    - do interns get paid
    - how much do internships pay
    - is an internship unpaid
    - do you earn money during an internship
  answer: Many internships are unpaid or pay very little. @everyone should read the career guide.
  source: career-after-graduation.txt
- id: internship-find
  question: How do I find an internship?
  alternates:
    - where can I find internships
    - help finding an internship
    - does the school place students in internships
    - how to get an internship at a studio
    - internship placement
  answer: Career services helps you find a studio internship.
  source: career-after-graduation.txt
- id: careers
  question: What careers can I have after graduating?
  alternates:
    - what jobs can graduates get
    - which careers are open to graduates
    - can I become a music producer
    - can I work as an audio engineer
    - what can I do with the diploma
  answer: Producer, recording engineer, mix engineer and more.
  source: career-after-graduation.txt
- id: tuition-cost
  kind: handoff
  min_score: 60
  question: How much is tuition?
  alternates:
    - what does the program cost
    - tuition fees
    - price of the course
    - how expensive is the school
    - cost of attendance
  answer: I can't quote tuition; the admissions team will send current figures.
  source: admissions-team
- id: campus-tour
  kind: tour
  question: Can I book a campus tour?
  alternates:
    - I want to visit the campus
    - schedule a visit
    - tour of the studios
    - can I come see the school
    - book a tour
  answer: We'd love to show you around.
  source: career-after-graduation.txt
- id: greeting
  kind: smalltalk
  question: Good morning
  alternates:
    - good evening
    - good afternoon
    - hey there good day
    - morning to you
    - good day to you
  answer: Hi! Ask me about our program and careers.
  source: admissions-team
"""

#: faq/_sources.yaml: the human title students see instead of a source's file name.
SOURCE_TITLE = "Life after graduation"
SOURCES = f'career-after-graduation.txt: "{SOURCE_TITLE}"\n'

#: A Wednesday, 10:00 UTC: inside the default test office hours.
WEDNESDAY_MORNING = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_errors: the test provokes an ERROR log from the bot on purpose")


def write_faq(directory: Path, text: str = FAQ, sources: str | None = SOURCES) -> Path:
    """The FAQ file, and `_sources.yaml` unless `sources` is None (then answers show no source)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "faq.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    if sources is not None:
        (directory / "_sources.yaml").write_text(sources, encoding="utf-8")
    return directory


@pytest.fixture
def faq_dir(tmp_path: Path) -> Path:
    return write_faq(tmp_path / "faq")


@pytest.fixture
def settings(tmp_path: Path, faq_dir: Path) -> Settings:
    return Settings(
        faq_dir=str(faq_dir),
        database_url=f"sqlite:///{tmp_path / 'tickets.sqlite3'}",
        guild_id=GUILD_ID,
        staff_channel_id=STAFF_CHANNEL_ID,
        staff_role_ids=(STAFF_ROLE_ID,),
        help_channel_ids=(HELP_CHANNEL_ID,),
        cooldown_messages=50,
        cooldown_seconds=60.0,
        retry_interval_seconds=3600.0,
        office_hours="09:00-17:00",
        office_days="mon-fri",
        timezone="UTC",
    )


@pytest.fixture
def service(settings: Settings) -> Iterator[Assistant]:
    """The whole assistant (answerer, desk, conversation), its clock a Wednesday morning."""
    assistant = build_assistant(settings, clock=lambda: WEDNESDAY_MORNING)
    yield assistant
    assistant.shutdown()


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    rec = Recorder()

    async def rest(http_self, route, **kwargs):  # noqa: ANN001, ANN202
        return await rec.rest(route, **kwargs)

    async def webhook(adapter_self, route, session=None, **kwargs):  # noqa: ANN001, ANN202
        return await rec.webhook(route, session, **kwargs)

    monkeypatch.setattr(discord.http.HTTPClient, "request", rest)
    monkeypatch.setattr(discord.webhook.async_.AsyncWebhookAdapter, "request", webhook)
    yield rec
    assert_no_mentions_allowed(rec)
    assert_within_limits(rec)


def assert_no_mentions_allowed(rec: Recorder) -> int:
    """Every outgoing message body must carry allowed_mentions that allow nothing.

    Except in the staff channel, where a note may ping the staff members it names (a follow-up's
    claimer, an assignee) and a reminder the staff role: never @everyone, never a parsed mention.
    """
    checked = 0
    for call in rec.calls:
        body = call.json or {}
        if not isinstance(body, dict):
            continue
        if call.path.endswith("/callback"):
            if body.get("type") not in (4, 7):
                continue  # defer (5) and modal (9) carry no message content
            body = body.get("data") or {}
        if not any(k in body for k in ("content", "embeds", "components")):
            continue
        mentions = body.get("allowed_mentions")
        assert mentions is not None, f"{call.method} {call.path} sent without allowed_mentions: {body}"
        assert mentions.get("parse") == [], f"{call.path}: {mentions}"
        if call.api == "rest" and call.channel_id == STAFF_CHANNEL_ID:
            assert {int(r) for r in mentions.get("roles") or []} <= {STAFF_ROLE_ID}, f"{call.path}: {mentions}"
            assert len(mentions.get("users") or []) <= 1, f"{call.path}: {mentions}"
        else:
            assert not mentions.get("users") and not mentions.get("roles"), f"{call.path}: {mentions}"
        assert mentions.get("replied_user", False) is False, f"{call.path}: {mentions}"
        checked += 1
    return checked


def assert_within_limits(rec: Recorder) -> None:
    """Discord's size limits on every message, embed, button and modal the bot sent."""
    for call in rec.calls:
        body = call.json or {}
        if not isinstance(body, dict):  # e.g. the command list of a sync
            continue
        if call.path.endswith("/callback"):
            if body.get("type") == 9:
                check_modal(body["data"])
                continue
            body = body.get("data") or {}
        check_message(body)


def check_message(body: dict) -> None:
    assert len(body.get("content") or "") <= 2000
    embeds = body.get("embeds") or []
    assert len(embeds) <= 10
    total = 0
    for e in embeds:
        sizes = [len(e.get("title", "")), len(e.get("description", "")), len((e.get("footer") or {}).get("text", "")),
                 len((e.get("author") or {}).get("name", ""))]
        assert sizes[0] <= 256 and sizes[1] <= 4096 and sizes[2] <= 2048 and sizes[3] <= 256, e
        fields = e.get("fields", [])
        assert len(fields) <= 25
        for f in fields:
            assert 0 < len(f["name"]) <= 256 and 0 < len(f["value"]) <= 1024, f
            sizes += [len(f["name"]), len(f["value"])]
        total += sum(sizes)
    assert total <= 6000, f"embeds total {total}"
    rows = body.get("components") or []
    assert len(rows) <= 5
    for row in rows:
        assert len(row["components"]) <= 5
        for c in row["components"]:
            assert len(c.get("label") or "") <= 80 and len(c.get("custom_id") or "") <= 100, c


def check_modal(modal: dict) -> None:
    assert len(modal["title"]) <= 45 and len(modal["custom_id"]) <= 100
    for row in modal["components"]:
        for c in row["components"]:
            assert len(c["label"]) <= 45 and len(c.get("value") or "") <= c.get("max_length", 4000), c


@pytest.fixture(autouse=True)
def fail_on_error_logs(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.INFO)
    yield
    allowed = request.node.get_closest_marker("allow_errors") is not None
    bad = [
        r for r in caplog.get_records("call") + caplog.get_records("teardown")
        if r.levelno >= logging.ERROR
        and (r.name.startswith("discord") or (r.name.startswith("admissionsbot") and not allowed))
    ]
    assert not bad, "ERROR logged: " + "; ".join(f"{r.name}: {r.getMessage()}" for r in bad)


@pytest.fixture
async def harness(service: Assistant, settings: Settings, recorder: Recorder) -> AsyncIterator[Harness]:
    h = Harness(service, settings, recorder)
    await h.start()
    yield h
    await h.stop()
