"""Shared by the Discord tour tests: a movable clock, the school in Berlin, slots, picking from a menu, booking."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

from harness import STAFF, STAFF_CHANNEL_ID, STAFF_ROLE_ID, STUDENT, STUDENT_ROLE_ID, Harness

from admissionsbot.bootstrap import Assistant, build_assistant
from admissionsbot.config import Settings
from admissionsbot.core.staff import cli_staff
from admissionsbot.core.tours import TourSlot

ADA = cli_staff("ada")
FORM = {"Your name": "Robin Example", "Email": "robin@example.com", "Number of visitors (you included)": "2",
        "Notes (optional)": "Coming with a parent"}


class Clock:
    """The service's clock, moved by the tests (reminders fall due, tours start)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def berlin(settings: Settings) -> Settings:
    """The test settings with the school in Berlin (summer time in May: CEST, UTC+2)."""
    # the staff role's reminders about unclaimed tickets (issue 13) are off: these tests move the clock by days
    return replace(settings, timezone="Europe/Berlin", tour_days_ahead=14, tour_reminder_hours=24,
                   remind_unclaimed_minutes=0)


def assistant(settings: Settings, clock: Clock) -> Iterator[Assistant]:
    """The `service` fixture's body: the whole assistant on the movable clock."""
    built = build_assistant(settings, clock=clock)
    yield built
    built.shutdown()


def add(service: Assistant, when: str, capacity: int = 6, **kw: Any) -> TourSlot:
    return service.conversation.tours.tours.add_slot(when, capacity, **kw)


def selects(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in body.get("components") or [] for c in row.get("components", []) if c.get("type") == 3]


def stamp(slot: TourSlot) -> str:
    return f"<t:{int(slot.starts_at.timestamp())}:F>"


async def choose(harness: Harness, message: dict[str, Any], value: int, *, custom_id: str = "admissionsbot:slots",
                 who: dict[str, Any] | None = None, roles: tuple[int, ...] = (STUDENT_ROLE_ID,)) -> str:
    """Pick an option of a recorded message's select menu (as Discord sends a select: component type 3)."""
    [menu] = [s for s in selects(message) if s["custom_id"] == custom_id]
    assert str(value) in [o["value"] for o in menu["options"]], menu["options"]
    channel_id = int(message["channel_id"])
    dm = channel_id in harness.rec.dm_channels
    data = {"custom_id": custom_id, "component_type": 3, "values": [str(value)]}
    payload = harness._interaction(3, data, who=who or STUDENT, roles=() if dm else roles,
                                   channel_id=channel_id, dm=dm, message=message)
    return await harness.feed_interaction(payload)


async def book(harness: Harness, slot: TourSlot, form: dict[str, str] = FORM) -> str:
    """/tour, pick `slot`, send the form: the token of the form's submission."""
    [times] = harness.messages_for(await harness.slash("tour"))
    modal = harness.modal_from(await choose(harness, times, slot.id))
    return await harness.submit_modal(modal, form)


async def staff(harness: Harness, sub: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    token = await harness.slash("tours", options, sub=sub, who=STAFF, roles=(STAFF_ROLE_ID,),
                                channel_id=STAFF_CHANNEL_ID)
    [answer] = harness.rec.followups(token)
    assert answer["flags"] & 64
    return answer
