"""Forms: the campus-tour request (students) and reply / close (staff).

Modals only collect text and hand it to the flows. Discord throws a modal's
content away once it is submitted, so a refused submission must not cost the
user their typing: the tour form can be reopened pre-filled, and a refused
staff reply is echoed back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import discord
from discord.ui import Modal, TextInput

from ...core.desk import TOUR_QUESTION
from ...core.limits import (
    CLOSE_REASON_CHARS,
    EMAIL_CHARS,
    NAME_CHARS,
    NOTES_CHARS,
    PREFERRED_TIMES_CHARS,
    REPLY_CHARS,
    SNIPPET_NAME_CHARS,
)
from ...core.models import TourContact
from . import errors

if TYPE_CHECKING:
    from .bot import AdmissionsBot

FORM_TIMEOUT = 30 * 60.0  # an abandoned form is forgotten after half an hour


def _bot(interaction: discord.Interaction) -> AdmissionsBot:
    return cast("AdmissionsBot", interaction.client)


class TourModal(Modal, title="Book a campus tour"):
    name: TextInput[TourModal] = TextInput(label="Your name", max_length=NAME_CHARS)
    email: TextInput[TourModal] = TextInput(label="Email", placeholder="name@example.com", max_length=EMAIL_CHARS)
    when: TextInput[TourModal] = TextInput(label="Preferred dates/times", placeholder="e.g. weekday afternoons in May",
                                           max_length=PREFERRED_TIMES_CHARS)
    notes: TextInput[TourModal] = TextInput(label="Notes (optional)", style=discord.TextStyle.paragraph,
                                            required=False, max_length=NOTES_CHARS)

    def __init__(self, prefill: TourContact | None = None, question: str = TOUR_QUESTION) -> None:
        super().__init__(timeout=FORM_TIMEOUT)
        self.question = question
        if prefill is not None:
            self.name.default = prefill.name[:NAME_CHARS] or None
            self.email.default = prefill.email[:EMAIL_CHARS] or None
            self.when.default = prefill.preferred_times[:PREFERRED_TIMES_CHARS] or None
            self.notes.default = prefill.notes[:NOTES_CHARS] or None

    def contact(self) -> TourContact:
        return TourContact(self.name.value, self.email.value, self.when.value, self.notes.value or "")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).student.submit_tour(interaction, self.contact(), self.question)

    # Modal.on_error takes no item, unlike BaseView's: discord.py's own override, matched exactly here.
    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await errors.handle(interaction, error, "tour form")


class FixTourView(discord.ui.View):
    """Offered with a refused tour request: reopens the form with what the student typed."""

    def __init__(self, contact: TourContact, question: str) -> None:
        super().__init__(timeout=15 * 60.0)
        self.contact, self.question = contact, question

    @discord.ui.button(label="Fix my tour request", style=discord.ButtonStyle.primary)
    async def reopen(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_modal(TourModal(self.contact, self.question))

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        await errors.handle(interaction, error, "tour form button")


class _StaffModal(Modal):
    """Staff forms re-check the member on submit, not only when the form opened."""

    def __init__(self, number: int, title: str) -> None:
        super().__init__(title=title[:45], timeout=FORM_TIMEOUT)
        self.number = number

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await errors.allow_staff(interaction)

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await errors.handle(interaction, error, f"{type(self).__name__} #{self.number}")


class ReplyModal(_StaffModal):
    text: TextInput[ReplyModal] = TextInput(label="Reply to the student", style=discord.TextStyle.paragraph,
                                            max_length=REPLY_CHARS, required=False)
    snippet: TextInput[ReplyModal] = TextInput(label="Insert a snippet (its name, optional)", required=False,
                                               max_length=SNIPPET_NAME_CHARS, placeholder="e.g. fees-link")

    def __init__(self, number: int) -> None:
        super().__init__(number, f"Reply to ticket #{number}")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).staff.reply(interaction, self.number, self.text.value or "",
                                            snippet=self.snippet.value or None, echo_on_error=True)


class CloseModal(_StaffModal):
    reason: TextInput[CloseModal] = TextInput(label="Reason (optional)", style=discord.TextStyle.paragraph,
                                              required=False, max_length=CLOSE_REASON_CHARS)

    def __init__(self, number: int) -> None:
        super().__init__(number, f"Close ticket #{number}")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).staff.close(interaction, self.number, self.reason.value or None)
