"""The knowledge loop in Discord: "Add to FAQ" on a card, /faq gaps, /stats with its chart, the weekly digest."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from harness import OTHER, STAFF, STAFF_CHANNEL_ID, STAFF_ROLE_ID, Harness, buttons, text_of

from admissionsbot.adapters.discord.learn_form import ANSWER_LABEL, ENTRY_LABEL, KIND_LABEL, MORE_LABEL, QUESTION_LABEL
from admissionsbot.config import Settings
from admissionsbot.core.learning import suggest_id

AS_STAFF = {"who": STAFF, "roles": (STAFF_ROLE_ID,)}
PARKING = "Is there parking nearby?"
REPLY = "Yes: free parking behind the building; ask reception for a pass."


async def answered_ticket(harness: Harness, question: str = PARKING) -> int:
    """Passed on by the student, claimed and answered by staff with the card's buttons: its number."""
    n = (await harness.ask_and_pass_on(question)).number
    await harness.click(harness.staff_card(n), f"admissionsbot:staff:claim:{n}", **AS_STAFF)
    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:reply:{n}", **AS_STAFF)
    await harness.submit_modal(harness.modal_from(token), {"Reply to the student": REPLY},
                               channel_id=STAFF_CHANNEL_ID, **AS_STAFF)
    return n


def learn_button(harness: Harness, n: int) -> dict:
    [button] = [b for b in buttons(harness.staff_card(n)) if b["custom_id"] == f"admissionsbot:staff:learn:{n}"]
    return button


def inputs(modal: dict) -> dict[str, dict]:
    return {c["label"]: c for row in modal["components"] for c in row["components"]}


def followup_text(harness: Harness, token: str) -> str:
    return "\n".join(text_of(b) for b in harness.rec.followups(token))


async def ask_title(harness: Harness, question: str) -> str:
    [reply] = harness.rec.replies_to(await harness.slash("ask", {"question": question}))
    return text_of(reply)


async def test_add_to_faq_from_the_card_then_the_same_question_is_answered(harness: Harness, faq_dir: Path):
    n = (await harness.ask_and_pass_on(PARKING)).number
    assert learn_button(harness, n)["disabled"] is True  # nothing to learn before staff answered
    n = await answered_ticket(harness, "can I park my car nearby")
    assert learn_button(harness, n)["disabled"] is False and learn_button(harness, n)["label"] == "Add to FAQ"

    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:learn:{n}", **AS_STAFF)
    modal = harness.modal_from(token)
    fields = inputs(modal)
    assert modal["title"] == f"Add ticket #{n} to the FAQ"
    assert fields[ENTRY_LABEL]["value"] == suggest_id("can I park my car nearby") == "park-car-nearby"
    assert fields[QUESTION_LABEL]["value"] == "can I park my car nearby"
    assert fields[ANSWER_LABEL]["value"] == REPLY and fields[KIND_LABEL]["value"] == "answer"

    values = {label: c.get("value") or "" for label, c in fields.items()}
    values[ENTRY_LABEL] = "campus-parking"
    values[MORE_LABEL] = "where do students park\ncan I park on campus"
    token = await harness.submit_modal(modal, values, channel_id=STAFF_CHANNEL_ID, **AS_STAFF)

    text = followup_text(harness, token)
    assert f"Learned ticket #{n} into a new entry `campus-parking` (learned.yaml)" in text
    assert "```diff" in text and "+  learned_by: ada (discord:6000)" in text
    learned = (faq_dir / "learned.yaml").read_text(encoding="utf-8")
    assert "- id: campus-parking" in learned and "    - where do students park" in learned
    answer = await ask_title(harness, "can I park my car nearby")
    assert REPLY in answer
    assert harness.service.desk.ticket(n).events[-1].action == "learned"


async def test_add_to_faq_into_an_existing_entry(harness: Harness, faq_dir: Path):
    question = "is there a stipend"
    n = await answered_ticket(harness, question)
    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:learn:{n}", **AS_STAFF)
    modal = harness.modal_from(token)
    token = await harness.submit_modal(modal, {ENTRY_LABEL: "internship-pay"}, channel_id=STAFF_CHANNEL_ID,
                                       **AS_STAFF)
    assert "into a new phrasing of entry `internship-pay`" in followup_text(harness, token)
    assert f"    - {question}  # from ticket #{n}" in (faq_dir / "faq.yaml").read_text(encoding="utf-8")
    assert "Many internships are unpaid" in await ask_title(harness, question)


async def test_a_refused_learn_shows_why_and_gives_the_typing_back(harness: Harness, faq_dir: Path):
    n = await answered_ticket(harness)
    before = {p.name: p.read_text() for p in faq_dir.iterdir()}
    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:learn:{n}", **AS_STAFF)
    values = {ENTRY_LABEL: "Campus Parking!", QUESTION_LABEL: PARKING, ANSWER_LABEL: "My careful answer"}
    token = await harness.submit_modal(harness.modal_from(token), values, channel_id=STAFF_CHANNEL_ID, **AS_STAFF)
    text = followup_text(harness, token)
    assert "Nothing was added to the FAQ" in text and "'id' must be a lowercase slug" in text
    assert "learned.yaml:7" in text and "Answer: My careful answer" in text
    assert {p.name: p.read_text() for p in faq_dir.iterdir() if p.suffix == ".yaml"} == {
        k: v for k, v in before.items() if k.endswith(".yaml")}


async def test_only_staff_can_add_to_the_faq(harness: Harness, faq_dir: Path):
    n = await answered_ticket(harness)
    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:learn:{n}", who=OTHER, roles=())
    assert "Only the admissions team" in harness.rec.replies_to(token)[0]["content"]
    assert not [c for c in harness.rec.callbacks(token) if c["type"] == 9]
    token = await harness.click(harness.staff_card(n), f"admissionsbot:staff:learn:{n}", **AS_STAFF)
    token = await harness.submit_modal(harness.modal_from(token), {ENTRY_LABEL: "campus-parking"}, who=OTHER,
                                       roles=())
    assert "Only the admissions team" in harness.rec.replies_to(token)[0]["content"]
    assert not (faq_dir / "learned.yaml").exists()


async def test_the_button_survives_a_restart(harness: Harness):
    n = await answered_ticket(harness)
    card = harness.staff_card(n)
    await harness.restart()
    token = await harness.click(card, f"admissionsbot:staff:learn:{n}", **AS_STAFF)
    assert harness.modal_from(token)["title"] == f"Add ticket #{n} to the FAQ"


async def test_faq_gaps_and_stats_commands(harness: Harness):
    await harness.ask_and_pass_on("where can I park my car")
    await harness.ask_and_pass_on("can I park my car nearby")
    token = await harness.slash("faq", {"days": 30}, sub="gaps", **AS_STAFF)
    [body] = harness.rec.followups(token)
    embed = body["embeds"][0]
    assert embed["title"] == "What to write next: 2 questions in 1 groups in the last 30 days"
    assert "**1. 2×**" in embed["description"] and "where can I park my car" in embed["description"]

    token = await harness.slash("stats", {}, **AS_STAFF)
    [body] = harness.rec.followups(token)
    assert "Questions: 2" in body["embeds"][0]["description"]
    assert body["attachments"][0]["filename"] == "stats.png"
    assert body["embeds"][0]["image"]["url"] == "attachment://stats.png"
    token = await harness.slash("stats", {}, who=OTHER, roles=())
    assert "Only the admissions team" in harness.rec.replies_to(token)[0]["content"]


async def test_stats_without_matplotlib_says_how_to_install(harness: Harness, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    token = await harness.slash("stats", {"days": 7}, **AS_STAFF)
    [body] = harness.rec.followups(token)
    assert "attachments" not in body or not body["attachments"]
    assert body["embeds"][0]["footer"]["text"] == "No chart: pip install 'admissionsbot[charts]'"


# -- the weekly digest ----------------------------------------------------------------------------
@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The digest on: Wednesdays 09:00 UTC (the service's clock says Wednesday 10:00)."""
    return replace(settings, digest_day="wed", digest_time="09:00")


async def wait_for_digest_pass(harness: Harness) -> None:
    flows = harness.bot.knowledge
    await asyncio.wait_for(flows.digest_checked.wait(), 5)
    flows.digest_checked.clear()


def digests(harness: Harness) -> list[dict]:
    return [c.json for c in harness.staff_posts() if "Weekly admissions digest" in text_of(c.json)]


async def test_the_digest_posts_once_per_week_across_a_restart(harness: Harness):
    await wait_for_digest_pass(harness)  # the leader's loop ran at start-up: due since 09:00
    [digest] = digests(harness)
    embed = digest["embeds"][0]
    assert embed["title"] == "Weekly admissions digest (week of 2024-05-01)"
    assert {f["name"] for f in embed["fields"]} == {"Top gaps: what to write next", 'Most often "not what I asked"'}
    assert digest["nonce"] == "d2024-05-01"
    assert harness.service.desk.store.digest_posted("2024-05-01")

    await harness.restart()
    await wait_for_digest_pass(harness)
    assert len(digests(harness)) == 1  # the week is recorded: not again

    week_later = harness.service.desk.clock() + timedelta(days=7)
    harness.service.desk.clock = lambda: week_later
    assert await harness.bot.knowledge.digest_pass() is True
    assert [d["embeds"][0]["title"] for d in digests(harness)][-1].endswith("(week of 2024-05-08)")
    assert await harness.bot.knowledge.digest_pass() is False
