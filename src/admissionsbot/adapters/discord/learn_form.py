"""The "Add to FAQ" form on a staff card: one form for both ways of learning from a ticket.

An existing entry id adds the ticket's question (and any extra phrasings) to
that entry; a new id creates an entry from the other fields, prefilled from
the ticket: its question, and the latest staff reply as the answer. A modal
holds five inputs, which is exactly what a new entry needs. Discord drops a
modal's text once submitted, so a refused learn echoes what was typed back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import discord
from discord.ui import Modal, TextInput

from ...core.knowledge import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS
from ...core.learning import suggest_id
from ...core.limits import DISCORD_LONG_TEXT_CHARS, ENTRY_ID_CHARS
from ...core.models import Ticket
from . import errors
from .modals import FORM_TIMEOUT

if TYPE_CHECKING:
    from .bot import AdmissionsBot

ENTRY_LABEL = "Entry id (existing: phrasing; new: entry)"
KIND_LABEL = "Kind of a new entry: answer or handoff"
QUESTION_LABEL = "Question of a new entry"
ANSWER_LABEL = "Answer of a new entry (your reply)"
MORE_LABEL = "More phrasings, one per line (optional)"


@dataclass(frozen=True)
class LearnInput:
    """What staff typed into the form."""

    entry_id: str
    kind: str
    question: str
    answer: str
    phrasings: tuple[str, ...]

    def echo(self) -> str:
        lines = [f"Entry id: {self.entry_id}", f"Kind: {self.kind}", f"Question: {self.question}",
                 f"Answer: {self.answer}"]
        if self.phrasings:
            lines.append("More phrasings:\n" + "\n".join(self.phrasings))
        return "\n".join(lines)


class LearnModal(Modal):
    entry: TextInput[LearnModal] = TextInput(label=ENTRY_LABEL, max_length=ENTRY_ID_CHARS,
                                             placeholder="e.g. internship-pay to add the question to that entry")
    kind: TextInput[LearnModal] = TextInput(label=KIND_LABEL, max_length=10, required=False, default="answer")
    question: TextInput[LearnModal] = TextInput(label=QUESTION_LABEL, max_length=MAX_QUESTION_CHARS, required=False)
    answer: TextInput[LearnModal] = TextInput(label=ANSWER_LABEL, style=discord.TextStyle.paragraph,
                                              max_length=MAX_ANSWER_CHARS, required=False)
    more: TextInput[LearnModal] = TextInput(label=MORE_LABEL, style=discord.TextStyle.paragraph, required=False,
                                            max_length=DISCORD_LONG_TEXT_CHARS)

    def __init__(self, ticket: Ticket) -> None:
        super().__init__(title=f"Add ticket #{ticket.number} to the FAQ"[:45], timeout=FORM_TIMEOUT)
        self.number = ticket.number
        asked = " ".join(ticket.question.split())
        self.entry.default = suggest_id(asked)[:ENTRY_ID_CHARS]
        self.question.default = asked if len(asked) <= MAX_QUESTION_CHARS else None
        reply = ticket.replies[-1].text if ticket.replies else ""
        self.answer.default = reply[:MAX_ANSWER_CHARS] or None

    def typed(self) -> LearnInput:
        more = tuple(line.strip() for line in (self.more.value or "").splitlines() if line.strip())
        return LearnInput(self.entry.value.strip(), (self.kind.value or "answer").strip(),
                          self.question.value or "", self.answer.value or "", more)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await errors.allow_staff(interaction)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        bot = cast("AdmissionsBot", interaction.client)
        await bot.knowledge.learn(interaction, self.number, self.typed())

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await errors.handle(interaction, error, f"learn form #{self.number}")
