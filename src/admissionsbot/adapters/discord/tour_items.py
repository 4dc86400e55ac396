"""Tour booking components: the slot select menu, its buttons, and the booking form.

Persistent components are DynamicItems whose custom id carries all they need
(at most 100 characters), so they work after a restart, in DMs (the
cancellation notice's menu) and under public replies alike:

- `admissionsbot:slots`: pick a time to book (the option's value is the slot id);
- `admissionsbot:slots:move:N`: pick the new time of booking N;
- `admissionsbot:slots:none`: none of these times (the free-text request form);
- `admissionsbot:book:S`: open the booking form for slot S (when the form could
  not open at once, because the answer had to be deferred);
- `admissionsbot:booking:cancel:N` / `...:move:N`: under a confirmation and in /mytickets.

A booking is always for whoever uses the component: the store refuses to
cancel or move another student's booking. Callbacks hand over to the bot's
tour flows (tour_flows.py); nothing here decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import discord
from discord.ui import Button, DynamicItem, Modal, Select, TextInput, View

from ...core.desk import TOUR_QUESTION
from ...core.limits import EMAIL_CHARS, NAME_CHARS, NOTES_CHARS, TOUR_SLOTS_SHOWN, TOUR_VISITORS_MAX
from ...core.outcomes import ChooseSlot
from ...core.tours import BookingDetails, TourBooking, TourSlot
from . import errors
from .dynamic_items import NS, _Guarded
from .modals import FORM_TIMEOUT
from .tour_embeds import form_title, option_description, option_label

if TYPE_CHECKING:
    from .bot import AdmissionsBot

NUMBER = "[0-9]{1,18}"


def _bot(interaction: discord.Interaction) -> AdmissionsBot:
    return cast("AdmissionsBot", interaction.client)


class _Students:
    """Any member in our server (or a DM) may book: a booking is for whoever picks."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await errors.allow_student(interaction)


def _options(outcome: ChooseSlot) -> list[discord.SelectOption]:
    return [discord.SelectOption(label=option_label(s, outcome.zone), value=str(s.id),
                                 description=option_description(s) or None)
            for s in outcome.slots[:TOUR_SLOTS_SHOWN]]


class SlotSelect(_Students, _Guarded, DynamicItem[Select],
                 template=rf"{NS}:slots(?::move:(?P<moving>{NUMBER}))?"):
    """The open times; picking one opens the booking form (or moves booking `moving`)."""

    def __init__(self, moving: int | None = None, options: list[discord.SelectOption] | None = None) -> None:
        custom_id = f"{NS}:slots" + (f":move:{moving}" if moving is not None else "")
        placeholder = "Pick the new time" if moving is not None else "Pick a time for your tour"
        super().__init__(Select(custom_id=custom_id, placeholder=placeholder, min_values=1, max_values=1,
                                options=options or [discord.SelectOption(label="-", value="0")]))
        self.moving = moving

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SlotSelect:
        return cls(int(match["moving"]) if match["moving"] else None)

    async def run(self, interaction: discord.Interaction) -> None:
        values = self.item.values
        if values and values[0].isdigit():
            await _bot(interaction).tours.pick(interaction, int(values[0]), self.moving)


class NoTimeButton(_Students, _Guarded, DynamicItem[Button], template=rf"{NS}:slots:none"):
    """None of these times: the free-text tour request."""

    def __init__(self) -> None:
        super().__init__(Button(label="None of these times", style=discord.ButtonStyle.secondary,
                                custom_id=f"{NS}:slots:none"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> NoTimeButton:
        return cls()

    async def run(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).tours.no_time(interaction)


class BookButton(_Students, _Guarded, DynamicItem[Button], template=rf"{NS}:book:(?P<slot>{NUMBER})"):
    """Opens the booking form for one slot (a form can only be the first answer to a click)."""

    def __init__(self, slot_id: int) -> None:
        super().__init__(Button(label="Open the booking form", style=discord.ButtonStyle.primary,
                                custom_id=f"{NS}:book:{slot_id}"))
        self.slot_id = slot_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> BookButton:
        return cls(int(match["slot"]))

    async def run(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).tours.pick(interaction, self.slot_id)


class BookingButton(_Students, _Guarded, DynamicItem[Button],
                    template=rf"{NS}:booking:(?P<action>cancel|move):(?P<number>{NUMBER})"):
    """Cancel / Move one of the student's bookings (theirs only: the store checks)."""

    LOOK = {"cancel": ("Cancel tour #{n}", discord.ButtonStyle.danger),
            "move": ("Move tour #{n}", discord.ButtonStyle.secondary)}

    def __init__(self, action: str, number: int, row: int | None = None) -> None:
        label, style = self.LOOK[action]
        super().__init__(Button(label=label.format(n=number), style=style, row=row,
                                custom_id=f"{NS}:booking:{action}:{number}"))
        self.action, self.number = action, number

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> BookingButton:
        return cls(match["action"], int(match["number"]))

    async def run(self, interaction: discord.Interaction) -> None:
        tours = _bot(interaction).tours
        if self.action == "cancel":
            await tours.cancel(interaction, self.number)
        else:
            await tours.move_choices(interaction, self.number)


TOUR_ITEMS = (SlotSelect, NoTimeButton, BookButton, BookingButton)


# -- the booking form ------------------------------------------------------------------------------
class BookingModal(Modal, title="Book a campus tour"):
    name: TextInput[BookingModal] = TextInput(label="Your name", max_length=NAME_CHARS)
    email: TextInput[BookingModal] = TextInput(label="Email", placeholder="name@example.com", max_length=EMAIL_CHARS)
    visitors: TextInput[BookingModal] = TextInput(label="Number of visitors (you included)", default="1",
                                                  max_length=len(str(TOUR_VISITORS_MAX)))
    notes: TextInput[BookingModal] = TextInput(label="Notes (optional)", style=discord.TextStyle.paragraph,
                                               required=False, max_length=NOTES_CHARS)

    def __init__(self, slot: TourSlot, title: str, question: str = TOUR_QUESTION,
                 prefill: BookingDetails | None = None) -> None:
        super().__init__(title=title, timeout=FORM_TIMEOUT)
        self.slot, self.question = slot, question
        if prefill is not None:
            self.name.default = prefill.name[:NAME_CHARS] or None
            self.email.default = prefill.email[:EMAIL_CHARS] or None
            self.visitors.default = prefill.visitors[: len(str(TOUR_VISITORS_MAX))] or "1"
            self.notes.default = prefill.notes[:NOTES_CHARS] or None

    @classmethod
    def for_slot(cls, slot: TourSlot, zone: Any, question: str = TOUR_QUESTION,
                 prefill: BookingDetails | None = None) -> BookingModal:
        return cls(slot, form_title(slot, zone), question, prefill)

    def details(self) -> BookingDetails:
        return BookingDetails(self.name.value, self.email.value, self.visitors.value, self.notes.value or "")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).tours.submit(interaction, self.slot, self.details(), self.question)

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await errors.handle(interaction, error, "tour booking form")


class _PrefilledSlots(Select[View]):
    """The other open times after a time filled up during the form: picking one reopens it with what was typed."""

    def __init__(self, outcome: ChooseSlot, prefill: BookingDetails) -> None:
        super().__init__(placeholder="Pick another time", options=_options(outcome))
        self.outcome, self.prefill = outcome, prefill

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await _bot(interaction).tours.pick(interaction, int(self.values[0]), prefill=self.prefill,
                                               question=self.outcome.question)
        except Exception as exc:  # noqa: BLE001 - every failure gets an answer and a log line
            await errors.handle(interaction, exc, "tour time menu")


class FixBookingView(View):
    """Offered with a refused booking form: reopens it with what the student typed."""

    def __init__(self, slot: TourSlot, zone: Any, details: BookingDetails, question: str) -> None:
        super().__init__(timeout=15 * 60.0)
        self.slot, self.zone, self.details, self.question = slot, zone, details, question

    @discord.ui.button(label="Fix my booking", style=discord.ButtonStyle.primary)
    async def reopen(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_modal(BookingModal.for_slot(self.slot, self.zone, self.question, self.details))

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        await errors.handle(interaction, error, "fix booking button")


# -- views -----------------------------------------------------------------------------------------
def slots_view(outcome: ChooseSlot, prefill: BookingDetails | None = None) -> View:
    """The time menu, and "None of these times" under a new booking's menu."""
    if prefill is not None:  # kept in memory: the typed details ride along (a restart forgets them)
        view = View(timeout=FORM_TIMEOUT)
        view.add_item(_PrefilledSlots(outcome, prefill))
    else:
        view = View(timeout=None)
        view.add_item(SlotSelect(outcome.moving, _options(outcome)))
    if outcome.moving is None:
        view.add_item(NoTimeButton())
    return view


def book_view(slot: TourSlot) -> View:
    view = View(timeout=None)
    view.add_item(BookButton(slot.id))
    return view


def booking_view(bookings: Sequence[TourBooking | int]) -> View:
    """Cancel / Move buttons, one row per booking (five rows at most)."""
    view = View(timeout=None)
    for row, item in enumerate(bookings[:5]):
        number = item if isinstance(item, int) else item.ticket_number
        view.add_item(BookingButton("cancel", number, row))
        view.add_item(BookingButton("move", number, row))
    return view
