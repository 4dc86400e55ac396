"""Long answers, questions and replies are trimmed or split on purpose, within Discord's limits.

(Every test also runs conftest.assert_within_limits over all it sent; these drive the long cases.)
"""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
from conftest import FAQ, check_message, write_faq
from harness import HANDOFF_QUESTION, STAFF, STAFF_ROLE_ID, Harness

from admissionsbot.adapters.discord import embeds as E
from admissionsbot.core.models import (
    Asker,
    Candidate,
    Entry,
    FiledReason,
    Reply,
    Staff,
    Ticket,
    TicketKind,
    TicketStatus,
)

AS_STAFF = {"who": STAFF, "roles": (STAFF_ROLE_ID,)}
LONG_ANSWER = ("Our graduates work in many places. " * 120)[:3500].strip()  # the loader's maximum


@pytest.fixture
def faq_dir(tmp_path: Path) -> Path:
    long_entry = f"""\
- id: long-answer
  question: Tell me everything about graduate outcomes
  alternates:
    - everything about graduate outcomes
    - all graduate outcomes please
    - full story of graduate outcomes
    - graduate outcomes in detail
    - detailed graduate outcomes
  answer: "{LONG_ANSWER}"
  source: career-after-graduation.txt
"""
    return write_faq(tmp_path / "faq", FAQ + long_entry)


def embed_total(embed: dict) -> int:
    return (len(embed.get("title", "")) + len(embed.get("description", ""))
            + len(embed.get("footer", {}).get("text", ""))
            + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", [])))


async def test_longest_answer_with_long_question_fits(harness: Harness):
    question = "Tell me everything about graduate outcomes " + "and really everything " * 60
    assert len(question) <= harness.service.answerer.settings.max_question_chars
    if harness.service.answerer.ask(question).entry is None:
        question = "Tell me everything about graduate outcomes"
    token = await harness.slash("ask", {"question": question})
    [body] = harness.rec.replies_to(token)
    [embed] = body["embeds"]
    assert embed["description"] == LONG_ANSWER  # fits whole: nothing cut needlessly
    assert embed["footer"]["text"].startswith("You asked: Tell me everything")
    assert embed_total(embed) <= 6000


async def test_very_long_question_goes_to_staff_and_shows_in_full_when_asked(harness: Harness):
    question = "I have a long story. " + " ".join(f"Detail number {i} about my situation." for i in range(300))
    assert len(question) > 4000
    token = await harness.slash("ask", {"question": question[:4000]})
    [ticket] = harness.service.desk.tickets()  # too long to match on: filed at once, no offer first
    assert ticket.reason is FiledReason.TOO_LONG
    card = harness.staff_card(ticket.number)["embeds"][0]
    assert len(card["description"]) <= 4096 and "/queue show" in card["description"]
    assert embed_total(card) <= 6000

    token = await harness.slash("queue", {"number": ticket.number}, sub="show", **AS_STAFF)
    full = [b["embeds"][0]["description"] for b in harness.rec.followups(token)[1:]]
    assert " ".join(full).split() == ticket.question.split()

    # A console ticket can hold 10,000 characters: /queue show splits it.
    console = Asker("console", "robin", "Robin", "console", private=True)
    other = harness.service.desk.file_question(console, question * 3, FiledReason.NO_MATCH)
    token = await harness.slash("queue", {"number": other.number}, sub="show", **AS_STAFF)
    full = [b["embeds"][0]["description"] for b in harness.rec.followups(token)[1:]]
    assert len(full) >= 3 and all(len(part) <= 4096 for part in full)
    assert " ".join(full).split() == other.question.split()


async def test_longest_staff_reply_is_delivered_within_limits(harness: Harness):
    await harness.slash("ask", {"question": HANDOFF_QUESTION})
    [ticket] = harness.service.desk.tickets()
    text = ("A long and careful reply. " * 200)[:4000]
    await harness.slash("queue", {"number": ticket.number}, sub="claim", **AS_STAFF)
    await harness.slash("queue", {"number": ticket.number, "text": text}, sub="reply", **AS_STAFF)
    dms = harness.rec.dms()
    assert [e["description"] for d in dms for e in d.json["embeds"]] == [text.strip()]  # 4,000 fit one embed
    for d in dms:
        assert all(len(e["description"]) <= 4096 and embed_total(e) <= 6000 for e in d.json["embeds"])


def _ticket(question: str, replies: tuple[Reply, ...] = ()) -> Ticket:
    from datetime import UTC, datetime

    now = datetime(2024, 5, 1, tzinfo=UTC)
    asker = Asker("discord", "5000", "Stu " * 40, "2001", "https://discord.com/channels/1/2/3")
    return Ticket(1, TicketKind.QUESTION, TicketStatus.ANSWERED, asker, question, now, now,
                  candidates=tuple(Candidate(f"entry-{i}" * 5, 50.0) for i in range(5)),
                  claimed_by=Staff("cli", "x" * 100, "x" * 100), close_reason="r" * 500, replies=replies)


def test_embed_builders_enforce_every_limit():
    from datetime import UTC, datetime

    now = datetime(2024, 5, 1, tzinfo=UTC)
    huge = "word " * 5000
    author = Staff("cli", "staff " * 30, "staff " * 30)
    replies = tuple(Reply(i, 1, author, huge[:4000], now, None, 3, "e" * 500) for i in range(6))
    ticket = _ticket(huge, replies)
    embeds = [
        E.staff_ticket_embed(ticket, lambda eid: "q" * 300),
        E.answer_embed(Entry("e", "q" * 300, (), huge, "s" * 2000), huge),
        E.clarify_embed(huge, [Entry(f"e{i}", "q" * 300, (), "a", "s") for i in range(3)]),
        E.my_tickets_embed([ticket] * 10),
        E.ticket_list_embed([ticket] * 25, "t"),
        *E.reply_embeds(ticket, Reply(1, 1, Staff("cli", "a", "a"), huge * 3, now)),
        *E.full_text_embeds("t" * 300, huge),
    ]
    for pack in E.pack_embeds(embeds):
        check_message({"embeds": [e.to_dict() for e in pack]})


def test_split_text_prefers_natural_breaks_and_keeps_everything():
    text = "\n\n".join(f"Paragraph {i}. " + "words " * 100 for i in range(20))
    chunks = E.split_text(text, 2000)
    assert all(len(c) <= 2000 for c in chunks) and len(chunks) > 1
    assert " ".join(chunks).split() == text.split()
    assert all(c.startswith("Paragraph") for c in chunks)  # cut between paragraphs
    unbroken = "x" * 5000
    assert [len(c) for c in E.split_text(unbroken, 2000)] == [2000, 2000, 1000]


def test_clip_marks_the_cut():
    assert E.clip("abc", 3) == "abc"
    assert E.clip("abcdef", 4) == "abc…" and len(E.clip("a" * 5000, 1024)) == 1024


def test_pack_embeds_respects_count_and_total():
    embeds = ([discord.Embed(description="d" * 2500) for _ in range(5)]
              + [discord.Embed(description="x") for _ in range(25)])
    packs = E.pack_embeds(embeds)
    assert all(len(p) <= 10 and sum(len(e) for e in p) <= 6000 for p in packs)
    assert sum(len(p) for p in packs) == 30


def test_question_is_read_back_from_the_footer():
    entry = Entry("e", "Q?", (), "A.", "src")
    embed = E.answer_embed(entry, "my question")
    message = type("M", (), {"embeds": [embed]})()
    assert E.question_from(message) == "my question"  # type: ignore[arg-type]
    assert E.question_from(None) == ""
