"""The figures: what students asked and what came of it, and how fast staff answered. Pure.

Counted from the stored turns and tickets (storage/insights.py), never
estimated. Definitions, also in README "The learning loop":

- questions: student turns that asked something (`ask`; chatter and empty
  messages are nudged and not counted);
- answered by the bot: answers shown, for a question or for a "did you mean" pick;
- clarified: "did you mean" choices shown; resolved by a pick: choices picked;
- no answer, offered a person: the bot had nothing and offered to pass it on;
- passed to staff / tours requested: distinct question / tour tickets filed by students;
- time to claim / to first reply: from a ticket's filing to its first claim /
  first staff reply, median and 90th percentile (nearest rank), over tickets
  filed in the period that were claimed / replied to.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from .models import FeedbackTally, TicketKind, TicketStatus
from .records import TicketFacts, Turn, TurnKind, TurnOutcome

#: Question outcomes in the order charts and tables show them.
OUTCOMES = (TurnOutcome.ANSWERED, TurnOutcome.CLARIFIED, TurnOutcome.OFFERED, TurnOutcome.FILED,
            TurnOutcome.TOUR_FORM, TurnOutcome.SMALLTALK, TurnOutcome.REFUSED)


@dataclass(frozen=True)
class Timing:
    """How long something took over `count` tickets (None when there were none)."""

    count: int
    median: timedelta | None
    p90: timedelta | None


@dataclass(frozen=True)
class Report:
    since: datetime | None
    until: datetime
    questions: int
    answered: int
    clarified: int
    resolved_by_pick: int
    offered: int
    passed_to_staff: int
    tours: int
    not_questions: int  # chatter, a stray yes/no: nudged, not counted as questions
    per_day: tuple[tuple[date, dict[TurnOutcome, int]], ...]  # question turns by day and outcome
    feedback: tuple[FeedbackTally, ...]
    tickets_by_status: dict[TicketStatus, int]
    to_claim: Timing
    to_first_reply: Timing
    reply_hours_by_day: tuple[tuple[date, float], ...]  # median hours to a first reply, by filing day
    oldest_open: TicketFacts | None
    oldest_open_age: timedelta | None = None
    turns_without_text: int = field(default=0)


def percentile(values: Sequence[timedelta], fraction: float) -> timedelta | None:
    """Nearest-rank percentile: the smallest value with at least `fraction` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def timing(values: Sequence[timedelta]) -> Timing:
    if not values:
        return Timing(0, None, None)
    seconds = statistics.median(v.total_seconds() for v in values)
    return Timing(len(values), timedelta(seconds=seconds), percentile(values, 0.9))


def build_report(turns: Sequence[Turn], tickets: Sequence[TicketFacts], feedback: Sequence[FeedbackTally],
                 oldest_open: TicketFacts | None, *, now: datetime, since: datetime | None = None,
                 zone: tzinfo | None = None) -> Report:
    """The report over `turns` and `tickets` (already limited to the period); days in `zone` (default UTC)."""
    asked = [t for t in turns if t.kind is TurnKind.QUESTION and t.outcome is not TurnOutcome.NUDGE]
    outcomes = Counter(t.outcome for t in turns)
    picks = [t for t in turns if t.kind is TurnKind.PICK and t.outcome is not TurnOutcome.REFUSED]
    filed = {t.ticket_number: t.ticket_kind for t in turns if t.outcome is TurnOutcome.FILED and t.ticket_number}
    days: dict[date, Counter[TurnOutcome]] = {}
    for t in asked:
        days.setdefault(_day(t.at, zone), Counter())[t.outcome] += 1
    claims = [f.claimed_at - f.created_at for f in tickets if f.claimed_at is not None]
    replies = [f.first_reply_at - f.created_at for f in tickets if f.first_reply_at is not None]
    by_day: dict[date, list[timedelta]] = {}
    for f in tickets:
        if f.first_reply_at is not None:
            by_day.setdefault(_day(f.created_at, zone), []).append(f.first_reply_at - f.created_at)
    return Report(
        since=since, until=now, questions=len(asked),
        answered=sum(1 for t in asked + picks if t.outcome is TurnOutcome.ANSWERED),
        clarified=outcomes[TurnOutcome.CLARIFIED], resolved_by_pick=len(picks),
        offered=outcomes[TurnOutcome.OFFERED],
        passed_to_staff=sum(1 for kind in filed.values() if kind is TicketKind.QUESTION),
        tours=sum(1 for kind in filed.values() if kind is TicketKind.TOUR),
        not_questions=sum(1 for t in turns if t.kind is TurnKind.QUESTION and t.outcome is TurnOutcome.NUDGE),
        per_day=tuple((d, {o: days[d][o] for o in OUTCOMES}) for d in sorted(days)),
        feedback=tuple(feedback),
        tickets_by_status={s: sum(1 for f in tickets if f.status is s) for s in TicketStatus},
        to_claim=timing(claims), to_first_reply=timing(replies),
        reply_hours_by_day=tuple((d, statistics.median(v.total_seconds() for v in by_day[d]) / 3600)
                                 for d in sorted(by_day)),
        oldest_open=oldest_open, oldest_open_age=None if oldest_open is None else now - oldest_open.created_at,
        turns_without_text=sum(1 for t in turns if t.question is None),
    )


def _day(at: datetime, zone: tzinfo | None) -> date:
    return at.astimezone(zone).date() if zone is not None else at.date()


def share(part: int, whole: int) -> str:
    """"12 (40%)": a count with its share of `whole`."""
    return f"{part} ({part / whole:.0%})" if whole else str(part)


def duration(value: timedelta | None) -> str:
    """A short human duration: "45 min", "3.5 h", "2.1 days", or "-" for none."""
    if value is None:
        return "-"
    minutes = value.total_seconds() / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} days"


def report_lines(report: Report) -> list[str]:
    """The report as plain lines (the CLI prints them; the weekly digest posts them)."""
    q = report.questions
    lines = [
        f"Questions: {q}",
        f"  answered by the bot: {share(report.answered, q)}",
        f"  clarified (did you mean): {report.clarified}, resolved by a pick: {report.resolved_by_pick}",
        f"  no answer, offered a person: {report.offered}",
        f"  passed to staff: {share(report.passed_to_staff, q)}",
        f"Tours requested: {report.tours}",
        "Tickets filed: " + ", ".join(f"{n} {s.value}" for s, n in report.tickets_by_status.items()),
        f"Time to claim: median {duration(report.to_claim.median)}, 90% within {duration(report.to_claim.p90)} "
        f"({report.to_claim.count} claimed)",
        f"Time to first reply: median {duration(report.to_first_reply.median)}, 90% within "
        f"{duration(report.to_first_reply.p90)} ({report.to_first_reply.count} replied)",
    ]
    if report.oldest_open is not None:
        lines.append(f"Oldest open ticket: #{report.oldest_open.number}, waiting {duration(report.oldest_open_age)}")
    else:
        lines.append("Oldest open ticket: none open")
    return lines


def report_json(report: Report) -> dict[str, Any]:
    """The report as JSON-able data (times in seconds, days as ISO dates)."""

    def seconds(t: Timing) -> dict[str, Any]:
        return {"count": t.count, "median_seconds": None if t.median is None else t.median.total_seconds(),
                "p90_seconds": None if t.p90 is None else t.p90.total_seconds()}

    oldest = report.oldest_open
    return {
        "since": report.since.isoformat() if report.since else None, "until": report.until.isoformat(),
        "questions": report.questions, "answered": report.answered, "clarified": report.clarified,
        "resolved_by_pick": report.resolved_by_pick, "offered": report.offered,
        "passed_to_staff": report.passed_to_staff, "tours_requested": report.tours,
        "not_questions": report.not_questions,
        "per_day": [{"day": d.isoformat(), **{o.value: n for o, n in counts.items()}} for d, counts in report.per_day],
        "feedback": [{"entry": f.entry_id, "helpful": f.helpful, "not_what_i_asked": f.not_helpful}
                     for f in report.feedback],
        "tickets_by_status": {s.value: n for s, n in report.tickets_by_status.items()},
        "time_to_claim": seconds(report.to_claim), "time_to_first_reply": seconds(report.to_first_reply),
        "oldest_open_ticket": None if oldest is None else {
            "number": oldest.number, "created_at": oldest.created_at.isoformat(),
            "waiting_seconds": report.oldest_open_age.total_seconds() if report.oldest_open_age else 0.0},
    }
