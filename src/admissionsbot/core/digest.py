"""The weekly digest for the staff channel: when it is due, and what it says. Pure.

Off by default. With `digest_day` (mon ... sun) and `digest_time` (HH:MM, in
the `timezone` setting) it is due once a week; `week_of` (the date it fell
due) names the week in the store, so it is posted once per week whatever
restarts or extra processes there are (the leader posts it; a week is recorded
once). A bot that was down at that moment posts it when it is back, still
within the week. It covers the 7 days before it fell due: the figures (the
same as `admissionsbot stats`), the top 5 gaps, and the entries most often
marked "not what I asked".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .gaps import GapGroup, Gaps
from .models import FeedbackTally
from .stats import Report

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TOP_GAPS = 5
TOP_MISSES = 5
PERIOD = timedelta(days=7)


class ScheduleError(ValueError):
    """A digest setting that does not parse; the message starts with the setting's name."""


@dataclass(frozen=True)
class DigestSchedule:
    weekday: int  # Monday is 0
    at: time
    zone: ZoneInfo

    def due_at(self, now: datetime) -> datetime:
        """The latest moment the digest fell due at or before `now` (aware, in the schedule's zone)."""
        local = now.astimezone(self.zone)
        day = local.date() - timedelta(days=(local.weekday() - self.weekday) % 7)
        due = datetime.combine(day, self.at, tzinfo=self.zone)
        return due if due <= local else due - PERIOD

    def week_of(self, now: datetime) -> str:
        """The week's name in the store: the date the digest fell due."""
        return self.due_at(now).date().isoformat()


def parse_schedule(day: str, at: str, timezone: str) -> DigestSchedule | None:
    """None when `day` is empty (the digest is off); ScheduleError naming the setting when one does not parse."""
    try:
        hour, minute = (int(part) for part in at.strip().split(":"))
        clock = time(hour, minute)
    except ValueError as exc:
        raise ScheduleError(f"digest_time {at!r} is not a time like 09:00 (24-hour, HH:MM)") from exc
    word = day.strip().lower()
    if not word:
        return None
    if word not in DAYS and word not in FULL_DAYS:
        raise ScheduleError(f"digest_day {day!r} is not a day of the week; use one of {', '.join(DAYS)} "
                            "(or leave it empty to turn the digest off)")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"timezone {timezone!r} is not a known time zone") from exc
    return DigestSchedule(DAYS.index(word[:3]), clock, zone)


@dataclass(frozen=True)
class Digest:
    week_of: str
    report: Report
    gaps: tuple[GapGroup, ...]  # the top TOP_GAPS
    misses: tuple[FeedbackTally, ...]  # entries most often marked "not what I asked"


def build_digest(week_of: str, report: Report, gaps: Gaps) -> Digest:
    misses = tuple(t for t in report.feedback if t.not_helpful > 0)[:TOP_MISSES]
    return Digest(week_of, report, gaps.groups[:TOP_GAPS], misses)
