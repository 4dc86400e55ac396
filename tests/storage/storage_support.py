"""Builders shared by the storage tests (a module, not conftest, so tests can import it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from admissionsbot.core.models import (
    Asker,
    Candidate,
    NewTicket,
    Staff,
    TicketKind,
    TourContact,
)

PG_ENV = "ADMISSIONSBOT_TEST_POSTGRES_URL"
PG_SKIP_REASON = "ADMISSIONSBOT_TEST_POSTGRES_URL is not set (CI sets it; see README)"
T0 = datetime(2025, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)


def with_search_path(url: str, schema: str) -> str:
    """Append a libpq `options` parameter that puts `schema` first on the search_path."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}', safe='')}"


def asker(user_id: str = "u1", platform: str = "discord", **kw: Any) -> Asker:
    return Asker(platform=platform, user_id=user_id, display_name=kw.pop("display_name", f"User {user_id}"), **kw)


def question(text: str = "When is the application deadline?", who: Asker | None = None) -> NewTicket:
    return NewTicket(
        kind=TicketKind.QUESTION,
        asker=who or asker(),
        question=text,
        candidates=(Candidate("deadlines", 61.5), Candidate("fees", 48.25)),
    )


def tour(who: Asker | None = None) -> NewTicket:
    return NewTicket(
        kind=TicketKind.TOUR,
        asker=who or asker(),
        question="Can I visit the studios?",
        contact=TourContact(name="Zoë Ångström", email="zoe@example.org", preferred_times="Fri pm",
                            notes="wheelchair access"),
    )


def at(minutes: float) -> datetime:
    """A fixed, increasing clock so ordering assertions never depend on wall time."""
    return T0 + timedelta(minutes=minutes)


def staff(name: str) -> Staff:
    """A command-line staff member (`--as NAME`): the name is the id."""
    return Staff("cli", name, name)
