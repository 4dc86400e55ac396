"""Office hours: is the admissions office open now, and when does it next open?

Shown to a student whose ticket is filed outside office hours, so they know
a reply may take until the next opening. Settings are parsed once at start-up
and a bad value is an OfficeHoursError naming the setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import AdmissionsError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class OfficeHoursError(AdmissionsError):
    """office_hours, office_days or timezone cannot be understood."""


@dataclass(frozen=True)
class OfficeHours:
    opens: time
    closes: time
    days: frozenset[int]  # 0 = Monday
    zone: ZoneInfo

    @classmethod
    def parse(cls, hours: str = "09:00-17:00", days: str = "mon-fri", timezone: str = "UTC") -> OfficeHours:
        """Parse "09:00-17:00", "mon-fri" / "mon,wed,fri" / "sat-mon", and an IANA zone name."""
        try:
            zone = ZoneInfo(timezone.strip())
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise OfficeHoursError(
                f"timezone '{timezone}' is not a known time zone; use a name like 'Europe/Berlin' or 'UTC'."
            ) from exc
        opens, closes = _parse_hours(hours)
        return cls(opens, closes, _parse_days(days), zone)

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.zone)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def next_open(self, now: datetime) -> datetime:
        """The next opening after `now` (aware, in the office's zone); `now` itself if open."""
        local = now.astimezone(self.zone)
        if self.is_open(now):
            return local
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            start = datetime.combine(day, self.opens, tzinfo=self.zone)
            if day.weekday() in self.days and start > local:
                return start
        raise AssertionError("office days are never empty")  # pragma: no cover - _parse_days refuses that

    def closed_note(self, now: datetime) -> str:
        """A sentence for the student when the office is closed, or "" when it is open."""
        if self.is_open(now):
            return ""
        nxt = self.next_open(now)
        when = nxt.strftime("%A %H:%M")
        return (f"The admissions office is closed right now; it opens again {when} ({self.zone.key}), "
                "so a reply may take until then.")


def _parse_hours(text: str) -> tuple[time, time]:
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        opens, closes = time.fromisoformat(start_text), time.fromisoformat(end_text)
    except ValueError as exc:
        raise OfficeHoursError(f"office_hours '{text}' must look like 09:00-17:00.") from exc
    if opens >= closes:
        raise OfficeHoursError(f"office_hours '{text}': the opening time must come before the closing time.")
    return opens, closes


def _parse_days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        ends = [e.strip()[:3] for e in part.split("-")]
        if len(ends) > 2 or any(e not in DAYS for e in ends):
            raise OfficeHoursError(f"office_days '{text}' must look like mon-fri or mon,wed,fri.")
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        span = (last - first) % 7
        days.update((first + i) % 7 for i in range(span + 1))
    if not days:
        raise OfficeHoursError(f"office_days '{text}' names no day; use e.g. mon-fri.")
    return frozenset(days)
