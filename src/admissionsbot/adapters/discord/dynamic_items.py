"""Persistent buttons: DynamicItems whose custom id carries all the state they need.

A click after a restart rebuilds the button from its custom id alone
(`admissionsbot:<what>:...`, at most 100 characters): student buttons carry
the FAQ entry id (the question is read back from the message's embed), staff
buttons carry the ticket number. Callbacks only hand over to the bot's
student/staff flows, so no logic lives in a button.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import discord
from discord.ui import Button, DynamicItem, View

from ...core.limits import ENTRY_ID_CHARS
from ...core.models import Entry, Ticket, TicketKind, TicketStatus
from . import errors
from .embeds import BUTTON_LABEL_CHARS, clip

if TYPE_CHECKING:
    from .bot import AdmissionsBot

NS = "admissionsbot"
ENTRY = f"[a-z0-9-]{{1,{ENTRY_ID_CHARS}}}"  # an FAQ entry id in a custom id (faq check keeps ids this short)
_ENTRY = re.compile(ENTRY)
NO_ENTRY = "x"  # stands in for an entry id too long for a custom id; treated as unknown


def _bot(interaction: discord.Interaction) -> AdmissionsBot:
    return cast("AdmissionsBot", interaction.client)


def _entry_part(entry_id: str) -> str:
    return entry_id if _ENTRY.fullmatch(entry_id) else NO_ENTRY


class _Guarded:
    """Send failures to the global handler: discord.py would only log a DynamicItem's exception."""

    custom_id: str

    async def callback(self, interaction: discord.Interaction) -> Any:
        try:
            await self.run(interaction)
        except Exception as exc:  # noqa: BLE001 - every failure gets an answer and a log line
            await errors.handle(interaction, exc, f"button {self.custom_id}")

    async def run(self, interaction: discord.Interaction) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class _AskersOnly:
    """Student buttons under a public reply act for the student who asked, so only they may press them."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await errors.allow_asker(interaction)


# -- student buttons ------------------------------------------------------------------------
class AnswerButton(_AskersOnly, _Guarded, DynamicItem[Button],
                   template=rf"{NS}:ans:(?P<action>helpful|other|staff):(?P<entry>{ENTRY})"):
    """Helpful / Not what I asked / Talk to admissions under an FAQ answer."""

    LOOK = {
        "helpful": ("Helpful", discord.ButtonStyle.success),
        "other": ("Not what I asked", discord.ButtonStyle.secondary),
        "staff": ("Talk to admissions", discord.ButtonStyle.primary),
    }

    def __init__(self, action: str, entry_id: str) -> None:
        label, style = self.LOOK[action]
        super().__init__(Button(label=label, style=style, custom_id=f"{NS}:ans:{action}:{_entry_part(entry_id)}"))
        self.action, self.entry_id = action, entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerButton:
        return cls(match["action"], match["entry"])

    async def run(self, interaction: discord.Interaction) -> None:
        student = _bot(interaction).student
        if self.action == "helpful":
            await student.helpful(interaction, self.entry_id)
        elif self.action == "other":
            await student.not_what_i_asked(interaction, self.entry_id)
        else:  # asking for a person right after an answer rejects that answer
            await student.talk_to_admissions(interaction, _known(self.entry_id))


def _known(entry_id: str | None) -> str | None:
    """An entry id from a custom id, or None for the stand-in of one too long to carry."""
    return entry_id if entry_id and entry_id != NO_ENTRY else None


class TourButton(_Guarded, DynamicItem[Button], template=rf"{NS}:tour(?::(?P<intent>asked))?"):
    """Book a campus tour: opens the tour form.

    Under an answer to a tour question (`...:tour:asked`) the student's own words
    go with the request; under any other answer they are not about a tour.
    """

    def __init__(self, asked: bool = False) -> None:
        style = discord.ButtonStyle.primary if asked else discord.ButtonStyle.secondary
        custom_id = f"{NS}:tour:asked" if asked else f"{NS}:tour"
        super().__init__(Button(label="Book a campus tour", style=style, custom_id=custom_id))
        self.asked = asked

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await errors.allow_student(interaction)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TourButton:
        return cls(asked=match["intent"] is not None)

    async def run(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).student.open_tour_form(interaction, asked=self.asked)


class PickButton(_AskersOnly, _Guarded, DynamicItem[Button], template=rf"{NS}:pick:(?P<entry>{ENTRY})"):
    """One "did you mean" choice."""

    def __init__(self, entry_id: str, label: str = "This one") -> None:
        super().__init__(Button(label=clip(label, BUTTON_LABEL_CHARS), style=discord.ButtonStyle.secondary,
                                custom_id=f"{NS}:pick:{_entry_part(entry_id)}"))
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PickButton:
        return cls(match["entry"], getattr(item, "label", None) or "This one")

    async def run(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).student.pick(interaction, self.entry_id)


class AskTeamButton(_AskersOnly, _Guarded, DynamicItem[Button], template=rf"{NS}:nomatch(?::(?P<entry>{ENTRY}))?"):
    """"None of these": file the question for the admissions team (noting a rejected answer, if any)."""

    def __init__(
        self, rejected_entry: str | None = None, label: str = "None of these: ask the admissions team"
    ) -> None:
        custom_id = f"{NS}:nomatch" + (f":{_entry_part(rejected_entry)}" if rejected_entry else "")
        super().__init__(Button(label=clip(label, BUTTON_LABEL_CHARS), style=discord.ButtonStyle.primary,
                                custom_id=custom_id))
        self.rejected_entry = rejected_entry

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AskTeamButton:
        return cls(match["entry"], getattr(item, "label", None) or "None of these: ask the admissions team")

    async def run(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).student.none_of_these(interaction, _known(self.rejected_entry))


class OfferButton(_AskersOnly, _Guarded, DynamicItem[Button], template=rf"{NS}:offer(?::(?P<entry>{ENTRY}))?"):
    """"Ask the admissions team" under an offer: only this press files the unanswered question."""

    def __init__(self, rejected_entry: str | None = None) -> None:
        custom_id = f"{NS}:offer" + (f":{_entry_part(rejected_entry)}" if rejected_entry else "")
        super().__init__(Button(label="Ask the admissions team", style=discord.ButtonStyle.primary,
                                custom_id=custom_id))
        self.rejected_entry = rejected_entry

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> OfferButton:
        return cls(match["entry"])

    async def run(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).student.accept_offer(interaction, _known(self.rejected_entry))


# -- staff buttons --------------------------------------------------------------------------
class StaffButton(
    _Guarded, DynamicItem[Button],
    template=rf"{NS}:staff:(?P<action>claim|reply|close|release|assign|reopen):(?P<number>[0-9]{{1,18}})"
):
    """Claim / Reply / Close, Release / Assign / Reopen on a staff-channel ticket card; staff-only on every click."""

    LOOK = {
        "claim": ("Claim", discord.ButtonStyle.primary),
        "reply": ("Reply", discord.ButtonStyle.success),
        "close": ("Close", discord.ButtonStyle.danger),
        "release": ("Release", discord.ButtonStyle.secondary),
        "assign": ("Assign", discord.ButtonStyle.secondary),
        "reopen": ("Reopen", discord.ButtonStyle.secondary),
    }

    def __init__(self, action: str, number: int, disabled: bool = False, row: int | None = None) -> None:
        label, style = self.LOOK[action]
        super().__init__(Button(label=label, style=style, disabled=disabled, custom_id=f"{NS}:staff:{action}:{number}",
                                row=row))
        self.action, self.number = action, number

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StaffButton:
        return cls(match["action"], int(match["number"]))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await errors.allow_staff(interaction)

    async def run(self, interaction: discord.Interaction) -> None:
        staff = _bot(interaction).staff
        if self.action == "claim":
            await staff.claim(interaction, self.number)
        elif self.action == "reply":
            await staff.open_reply_form(interaction, self.number)
        elif self.action == "close":
            await staff.open_close_form(interaction, self.number)
        elif self.action == "release":
            await _bot(interaction).handover.release(interaction, self.number)
        elif self.action == "assign":
            await _bot(interaction).handover.open_assign(interaction, self.number)
        else:
            await _bot(interaction).handover.reopen(interaction, self.number)


class LearnButton(_Guarded, DynamicItem[Button], template=rf"{NS}:staff:learn:(?P<number>[0-9]{{1,18}})"):
    """"Add to FAQ" on an answered question's card: opens the learn form prefilled from the ticket."""

    def __init__(self, number: int, disabled: bool = False) -> None:
        super().__init__(Button(label="Add to FAQ", style=discord.ButtonStyle.secondary, disabled=disabled,
                                custom_id=f"{NS}:staff:learn:{number}", row=2))
        self.number = number

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> LearnButton:
        return cls(int(match["number"]))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await errors.allow_staff(interaction)

    async def run(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).knowledge.open_learn_form(interaction, self.number)


DYNAMIC_ITEMS = (AnswerButton, TourButton, PickButton, AskTeamButton, OfferButton, StaffButton, LearnButton)


# -- views built from them ------------------------------------------------------------------
def answer_view(entry_id: str) -> View:
    """The four buttons under an answer."""
    view = View(timeout=None)
    for action in ("helpful", "other", "staff"):
        view.add_item(AnswerButton(action, entry_id))
    view.add_item(TourButton())
    return view


def choices_view(choices: Sequence[Entry], rejected_entry: str | None = None) -> View:
    """Up to three "did you mean" buttons and "None of these"."""
    view = View(timeout=None)
    for entry in choices[:3]:
        view.add_item(PickButton(entry.id, entry.question))
    view.add_item(AskTeamButton(rejected_entry))
    return view


def offer_view(rejected_entry: str | None = None) -> View:
    """The one button that passes an unanswered question on; ignoring it files nothing."""
    view = View(timeout=None)
    view.add_item(OfferButton(rejected_entry))
    return view


def tour_view(*, asked: bool = False) -> View:
    view = View(timeout=None)
    view.add_item(TourButton(asked=asked))
    return view


def staff_view(ticket: Ticket) -> View:
    """Claim only while open; Release while someone holds it; Reopen only once closed, when all else is off."""
    closed = ticket.status is TicketStatus.CLOSED
    view = View(timeout=None)
    view.add_item(StaffButton("claim", ticket.number, disabled=ticket.status is not TicketStatus.OPEN, row=0))
    view.add_item(StaffButton("reply", ticket.number, disabled=closed, row=0))
    view.add_item(StaffButton("close", ticket.number, disabled=closed, row=0))
    view.add_item(StaffButton("release", ticket.number, disabled=closed or ticket.claimed_by is None, row=1))
    view.add_item(StaffButton("assign", ticket.number, disabled=closed, row=1))
    view.add_item(StaffButton("reopen", ticket.number, disabled=not closed, row=1))
    view.add_item(LearnButton(ticket.number, disabled=ticket.kind is not TicketKind.QUESTION or not ticket.replies))
    return view
