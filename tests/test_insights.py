"""The numbers and the gaps: turns recorded in the conversation layer, figures on a known set with a fake
clock, gaps grouped on a known set, the digest's schedule, the FAQ picked up from disk."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from faq_fixtures import TINY_FAQ, write_faq

from admissionsbot.bootstrap import build_assistant
from admissionsbot.config import ConfigError, Settings, load_settings
from admissionsbot.core.answering import Answerer
from admissionsbot.core.decide import DecisionSettings
from admissionsbot.core.digest import DigestSchedule, ScheduleError, parse_schedule
from admissionsbot.core.errors import StorageError
from admissionsbot.core.faq_watch import FaqWatch
from admissionsbot.core.gaps import Closest, GapQuestion, Similarity, gap_questions, group_gaps
from admissionsbot.core.knowledge import load_knowledge
from admissionsbot.core.models import Asker, FiledReason, TicketKind, TicketStatus, TourContact
from admissionsbot.core.outcomes import Answered, Clarify, OfferStaff, OpenTourForm, Pending, TicketFiled
from admissionsbot.core.records import TicketFacts, Turn, TurnKind, TurnOutcome
from admissionsbot.core.staff import cli_staff
from admissionsbot.core.stats import build_report, percentile, report_json
from admissionsbot.core.turns import TurnLog

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday
SAM, BOB = Asker("discord", "5000", "Sam"), Asker("discord", "5001", "Bob")
ADA = cli_staff("ada")
NO_MATCH = "what is the weather on mars today"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def at(self, minutes: float) -> None:
        self.now = T0 + timedelta(minutes=minutes)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def assistant(tmp_path: Path, clock: Clock):
    settings = Settings(faq_dir=str(write_faq(tmp_path / "faq")), database_url=str(tmp_path / "q.sqlite3"))
    built = build_assistant(settings, clock=clock)
    yield built
    built.shutdown()


# -- turns ----------------------------------------------------------------------------------------
def test_every_turn_is_recorded_once_with_what_it_became(assistant, clock: Clock):
    conv = assistant.conversation
    offer = conv.ask(SAM, NO_MATCH)
    assert isinstance(offer, OfferStaff)
    filed = conv.say(SAM, "yes", Pending(question=offer.question, offer=offer))  # "yes" accepts the offer
    assert isinstance(filed, TicketFiled)
    conv.answerer.settings = DecisionSettings(answer_threshold=100, clarify_threshold=1, margin=0)
    clarify = conv.ask(BOB, "internship pay")
    assert isinstance(clarify, Clarify)
    picked = conv.say(BOB, "1", Pending(question=clarify.question, choices=clarify.choices))
    assert isinstance(picked, Answered)
    conv.say(BOB, "lol")

    turns = assistant.desk.store.turns_since()
    assert [(t.asker_id, t.kind, t.outcome) for t in turns] == [
        ("5000", TurnKind.QUESTION, TurnOutcome.OFFERED),
        ("5000", TurnKind.ACCEPT_OFFER, TurnOutcome.FILED),
        ("5001", TurnKind.QUESTION, TurnOutcome.CLARIFIED),
        ("5001", TurnKind.PICK, TurnOutcome.ANSWERED),
        ("5001", TurnKind.QUESTION, TurnOutcome.NUDGE),
    ]
    assert turns[1].ticket_number == filed.ticket.number and turns[1].reason is FiledReason.NO_MATCH
    assert turns[1].ticket_kind is TicketKind.QUESTION and turns[1].question == NO_MATCH
    assert turns[2].entry_id == clarify.choices[0].id and turns[2].score == round(clarify.score, 2)
    assert turns[3].entry_id == picked.entry.id and turns[3].question == "internship pay"
    assert all(t.platform == "discord" and t.at == T0 for t in turns)


def test_with_record_question_text_off_only_the_text_is_left_out(tmp_path: Path, clock: Clock):
    settings = Settings(faq_dir=str(write_faq(tmp_path / "faq")), database_url=str(tmp_path / "q.sqlite3"),
                        record_question_text=False)
    assistant = build_assistant(settings, clock=clock)
    try:
        assistant.conversation.ask(SAM, NO_MATCH)
        [turn] = assistant.desk.store.turns_since()
        assert turn.question is None and turn.outcome is TurnOutcome.OFFERED and turn.asker_id == "5000"
        assert assistant.insights.gaps().without_text == 1
    finally:
        assistant.shutdown()


def test_a_store_that_cannot_record_never_costs_the_student_the_answer(assistant, caplog):
    class Broken:
        def record_turn(self, turn: Turn) -> None:
            raise StorageError("The ticket database is gone.")

    assistant.conversation.turn_log = TurnLog(Broken(), lambda: T0)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING):
        outcome = assistant.conversation.ask(SAM, NO_MATCH)
    assert isinstance(outcome, OfferStaff)
    assert "Could not record a question turn (offered)" in caplog.text


# -- the figures on a known set -----------------------------------------------------------------------
def test_stats_on_a_known_set_with_a_fake_clock(assistant, clock: Clock):
    conv, desk = assistant.conversation, assistant.desk
    assert isinstance(conv.ask(SAM, "Do internships pay?"), Answered)
    clock.at(1)
    offer = conv.ask(SAM, NO_MATCH)
    clock.at(2)
    first = conv.accept_offer(SAM, offer.question).ticket
    clock.at(3)
    second = conv.ask(BOB, "How much is tuition?")
    assert isinstance(second, TicketFiled) and second.ticket.reason is FiledReason.HANDOFF
    conv.ask(BOB, "lol")
    clock.at(5)
    assert isinstance(conv.request_tour(SAM), OpenTourForm)
    tour = conv.submit_tour(SAM, TourContact("Sam", "sam@example.org", "Friday")).ticket
    clock.at(6)
    conv.answerer.settings = DecisionSettings(answer_threshold=100, clarify_threshold=1, margin=0)
    clarify = conv.ask(BOB, "internship pay")
    conv.pick(BOB, clarify.question, clarify.choices[0].id)
    for minutes, action in ((62, lambda: desk.claim(first.number, ADA)), (33, lambda: desk.claim(second.ticket.number,
                            ADA)), (122, lambda: desk.reply(first.number, ADA, "Sunny.")),
                            (243, lambda: desk.reply(second.ticket.number, ADA, "About $20k."))):
        clock.at(minutes)
        action()
    clock.at(24 * 60)

    report = assistant.insights.report()

    assert (report.questions, report.answered, report.clarified, report.resolved_by_pick) == (4, 2, 1, 1)
    assert (report.offered, report.passed_to_staff, report.tours, report.not_questions) == (1, 2, 1, 1)
    assert report.tickets_by_status == {TicketStatus.OPEN: 1, TicketStatus.CLAIMED: 0, TicketStatus.ANSWERED: 2,
                                        TicketStatus.CLOSED: 0}
    assert (report.to_claim.count, report.to_claim.median, report.to_claim.p90) == (
        2, timedelta(minutes=45), timedelta(minutes=60))
    assert (report.to_first_reply.median, report.to_first_reply.p90) == (timedelta(minutes=180),
                                                                          timedelta(minutes=240))
    assert report.oldest_open is not None and report.oldest_open.number == tour.number
    assert report.oldest_open_age == timedelta(minutes=24 * 60 - 5)
    assert [(d, c[TurnOutcome.ANSWERED], c[TurnOutcome.FILED]) for d, c in report.per_day] == [(date(2026, 11, 30),
                                                                                                 1, 1)]
    data = report_json(report)
    assert data["time_to_first_reply"] == {"count": 2, "median_seconds": 10800.0, "p90_seconds": 14400.0}
    later = assistant.insights.report(T0 + timedelta(minutes=4))  # --since: only the tour and the clarify
    assert (later.questions, later.tours, later.passed_to_staff, later.to_claim.count) == (1, 1, 0, 0)


def test_percentiles_are_nearest_rank():
    values = [timedelta(minutes=m) for m in (5, 1, 9, 3, 7, 2, 8, 4, 6, 10)]
    assert percentile(values, 0.9) == timedelta(minutes=9)
    assert percentile(values, 0.5) == timedelta(minutes=5)
    assert percentile(values[:1], 0.9) == timedelta(minutes=5) and percentile([], 0.9) is None


def test_days_are_counted_in_the_configured_time_zone():
    from zoneinfo import ZoneInfo

    late = Turn(datetime(2026, 12, 1, 3, 0, tzinfo=UTC), "discord", "1", TurnKind.QUESTION, TurnOutcome.ANSWERED)
    report = build_report([late], [], [], None, now=late.at, zone=ZoneInfo("America/Los_Angeles"))
    assert [d for d, _ in report.per_day] == [date(2026, 11, 30)]  # 19:00 the evening before, in Los Angeles


# -- the gaps on a known set ----------------------------------------------------------------------------
def facts(number: int, question: str, reason: FiledReason, asker: str, replies: int = 0, minutes: int = 0):
    return TicketFacts(number, TicketKind.QUESTION, TicketStatus.ANSWERED if replies else TicketStatus.OPEN, reason,
                       question, "discord", asker, T0 + timedelta(minutes=minutes), None, None, replies)


def turn(question: str | None, asker: str, kind: TurnKind, outcome: TurnOutcome, minutes: int = 0) -> Turn:
    return Turn(T0 + timedelta(minutes=minutes), "discord", asker, kind, outcome, question=question)


def test_gaps_group_alike_questions_biggest_first():
    tickets = [
        facts(1, "Is there parking at the school?", FiledReason.NO_MATCH, "a", replies=1),
        facts(2, "where can I park my car", FiledReason.NONE_OF_THESE, "b", minutes=5),
        facts(3, "Do I need my own laptop?", FiledReason.REJECTED_ANSWER, "c", replies=2, minutes=6),
        facts(4, "How much is tuition?", FiledReason.HANDOFF, "d"),  # a hand-off is no gap
        facts(5, "(The student asked to talk to the admissions team.)", FiledReason.NO_MATCH, "e"),
    ]
    turns = [
        turn("Is there parking at the school?", "a", TurnKind.QUESTION, TurnOutcome.OFFERED),  # the same as #1
        turn("parking near campus?", "f", TurnKind.QUESTION, TurnOutcome.OFFERED, minutes=7),
        turn("should I bring a laptop", "g", TurnKind.QUESTION, TurnOutcome.CLARIFIED, minutes=8),  # nobody picked
        turn("internship money", "h", TurnKind.QUESTION, TurnOutcome.CLARIFIED, minutes=9),
        turn("internship money", "h", TurnKind.PICK, TurnOutcome.ANSWERED, minutes=9),  # picked: no gap
        turn("can I bring my dog to class", "i", TurnKind.NOT_WHAT_I_ASKED, TurnOutcome.OFFERED, minutes=10),
        turn("Do interns get paid", "j", TurnKind.QUESTION, TurnOutcome.OFFERED, minutes=11),  # answered by now
        turn(None, "k", TurnKind.QUESTION, TurnOutcome.OFFERED),  # no text kept
    ]
    questions, without_text = gap_questions(tickets, turns)
    assert without_text == 1
    assert len(questions) == 7
    knowledge = load_knowledge(write_faq(Path(__import__("tempfile").mkdtemp()) / "faq"))
    similarity = Similarity(e.phrasings for e in knowledge.entries)

    def assess(text: str) -> Closest:
        return Closest("internship-pay", 91.0, covered=True) if "interns" in text else Closest("careers", 12.5)

    gaps = group_gaps(questions, similarity, assess, without_text=without_text)

    assert [(g.count, g.examples()) for g in gaps.groups] == [
        (3, ["Is there parking at the school?", "where can I park my car", "parking near campus?"]),
        (2, ["Do I need my own laptop?", "should I bring a laptop"]),
        (1, ["can I bring my dog to class"]),
    ]
    assert [g.answered_tickets for g in gaps.groups] == [[1], [3], []]
    assert gaps.groups[0].closest == Closest("careers", 12.5)
    assert (gaps.covered, gaps.without_text) == (1, 1)
    assert gaps.groups[1].questions[0].why == "not what I asked"
    assert gaps.groups[1].questions[1].why == "did you mean: nobody picked"


def test_the_gaps_of_a_store_use_the_faq_in_use(assistant):
    conv = assistant.conversation
    for who, text in ((SAM, "Is there parking at the school?"), (BOB, "where can I park my car")):
        offer = conv.ask(who, text)
        assert isinstance(offer, OfferStaff)
    conv.accept_offer(SAM, "Is there parking at the school?")
    gaps = assistant.insights.gaps()
    [group] = gaps.groups
    assert group.count == 2 and group.questions[0] == GapQuestion("Is there parking at the school?", "no match", T0,
                                                                  1, False)


# -- the digest's schedule --------------------------------------------------------------------------
def test_the_digest_falls_due_once_a_week_in_the_configured_zone():
    schedule = parse_schedule("Mon", "09:00", "America/Los_Angeles")
    assert isinstance(schedule, DigestSchedule)
    monday_9_la = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert schedule.due_at(monday_9_la) == monday_9_la
    assert schedule.week_of(monday_9_la - timedelta(minutes=1)) == "2026-11-23"  # not yet: last week's
    assert schedule.week_of(monday_9_la + timedelta(days=6, hours=23)) == "2026-11-30"
    assert schedule.week_of(monday_9_la + timedelta(days=7)) == "2026-12-07"
    assert parse_schedule("", "09:00", "UTC") is None  # off by default


@pytest.mark.parametrize(("day", "at", "message"), [("funday", "09:00", "digest_day 'funday'"),
                                                    ("", "25:00", "digest_time '25:00'"),
                                                    ("monday", "9am", "digest_time '9am'")])
def test_bad_digest_settings_are_named(day, at, message):
    with pytest.raises(ScheduleError, match=message):
        parse_schedule(day, at, "UTC")


def test_the_new_settings_come_from_files_and_the_environment(tmp_path: Path):
    (tmp_path / "a.yaml").write_text("record_question_text: false\ndigest_day: fri\ndigest_time: '16:30'\n")
    settings = load_settings(tmp_path / "a.yaml", env={})
    assert (settings.record_question_text, settings.digest_day, settings.digest_time) == (False, "fri", "16:30")
    assert load_settings(None, env={"ADMISSIONSBOT_RECORD_QUESTION_TEXT": "no"}).record_question_text is False
    assert Settings().record_question_text is True and Settings().digest_day == ""
    with pytest.raises(ConfigError, match="ADMISSIONSBOT_RECORD_QUESTION_TEXT: 'record_question_text' has an "
                                          "invalid value 'maybe' \\(expected true or false\\)"):
        load_settings(None, env={"ADMISSIONSBOT_RECORD_QUESTION_TEXT": "maybe"})
    (tmp_path / "b.yaml").write_text("digest_day: someday\n")
    with pytest.raises(ConfigError, match="b.yaml: digest_day 'someday' is not a day of the week"):
        load_settings(tmp_path / "b.yaml", env={})


# -- the FAQ on disk ---------------------------------------------------------------------------------
def test_the_watch_reloads_a_changed_faq_and_keeps_the_last_good_one(tmp_path: Path, caplog):
    folder = write_faq(tmp_path / "faq")
    answerer = Answerer(load_knowledge(folder))
    watch = FaqWatch(answerer, folder)
    assert watch.check() is False  # unchanged
    extra = TINY_FAQ.split("- id: careers")[0].replace("internship-pay", "pay-two").replace(
        "Do internships pay?", "Is the pay good?").replace("    - ", "    - two ")
    (folder / "more.yaml").write_text(extra, encoding="utf-8")
    assert watch.check() is True and answerer.knowledge.has("pay-two")
    (folder / "more.yaml").write_text("- id: [\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert watch.check() is False
    assert answerer.knowledge.has("pay-two") and "does not load" in caplog.text
    assert watch.check() is False  # the same broken files: not tried again
