"""The student side: turn a service Decision into what the student sees, and back.

Used by the student cog (/ask, /tour, /mytickets, plain messages) and by the
student buttons and the tour form. Everything here translates; deciding
and queueing happen in AdmissionsService, always called off the event loop.
Interaction answers are ephemeral (an admissions question can be personal);
answers to a plain message are replies to that message.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING

import discord

from ...core.errors import AdmissionsError, InvalidInput
from ...core.models import Action, Candidate, Decision, Entry, Ticket, TourContact
from ...core.service import TOUR_QUESTION, escalation_note
from . import errors
from .dynamic_items import answer_view, choices_view, hand_off_view
from .embeds import (
    answer_embed,
    clarify_embed,
    clip,
    handoff_offer_embed,
    my_tickets_embed,
    pack_embeds,
    question_from,
    reply_embeds,
    ticket_filed_text,
    tour_confirmation_embed,
)
from .identity import asker_from_interaction, asker_from_message
from .modals import FixTourView, TourModal

if TYPE_CHECKING:
    from .bot import AdmissionsBot

log = logging.getLogger(__name__)

HELLO = "Hi! Ask me anything about studying with us, e.g. *Do internships pay?* You can also use `/ask`."
THANKS = "Thanks for letting us know. Glad it helped!"
ANSWERED_MESSAGE_TYPES = (discord.MessageType.default, discord.MessageType.reply)


class StudentFlows:
    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot

    @property
    def service(self):  # noqa: ANN201 - AdmissionsService
        return self.bot.service

    # -- helpers ----------------------------------------------------------------------------
    def closed_note(self) -> str:
        return self.bot.office_hours.closed_note(self.bot.now())

    async def _decide(self, question: str) -> Decision:
        return await asyncio.to_thread(self.service.ask, question)

    async def _candidates(self, question: str) -> tuple[Candidate, ...]:
        """Re-rank a question read back from a message, for the staff card (best effort)."""
        try:
            return (await self._decide(question)).candidates if question else ()
        except InvalidInput:
            return ()

    def _entry(self, entry_id: str) -> Entry | None:
        knowledge = self.service.knowledge
        return knowledge.entry(entry_id) if knowledge.has(entry_id) else None

    def _allowed(self, user_id: int) -> str:
        """"" when the user may go ahead, else the polite cooldown message."""
        result = self.bot.cooldown.hit(str(user_id))
        return "" if result.allowed else result.message()

    # -- interactions -----------------------------------------------------------------------
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        refusal = self._allowed(interaction.user.id)
        if refusal:
            await errors.tell(interaction, refusal)
            return
        await self.act(interaction, await self._decide(question))

    async def act(self, interaction: discord.Interaction, decision: Decision) -> None:
        """Answer, clarify, open the tour form or file a ticket, ephemerally."""
        send = interaction.response.send_message
        entry = decision.entry
        if decision.action is Action.ANSWER and entry is not None:
            await send(embed=answer_embed(entry, decision.question), view=answer_view(entry.id), ephemeral=True)
        elif decision.action is Action.SMALLTALK and entry is not None:
            await send(clip(entry.answer, 2000), ephemeral=True)
        elif decision.action is Action.CLARIFY:
            await send(embed=clarify_embed(decision.question, decision.choices), view=choices_view(decision.choices),
                       ephemeral=True)
        elif decision.action is Action.TOUR:
            await interaction.response.send_modal(TourModal(question=decision.question))
        else:
            candidates = decision.candidates or ((Candidate(entry.id, decision.score),) if entry else ())
            await self.escalate(interaction, decision.question, candidates, escalation_note(decision))

    async def escalate(
        self, interaction: discord.Interaction, question: str, candidates: tuple[Candidate, ...], lead: str | None = None
    ) -> None:
        """File a ticket (persisted first), tell the student, then post it for staff."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        asker = asker_from_interaction(interaction)
        ticket = await asyncio.to_thread(self.service.escalate, asker, question, candidates)
        await interaction.followup.send(ticket_filed_text(ticket, self.closed_note(), lead), ephemeral=True)
        await self.bot.delivery.post_ticket(ticket)

    async def helpful(self, interaction: discord.Interaction, entry_id: str) -> None:
        log.info("helpful: entry=%s user=%s", entry_id, interaction.user.id)
        await errors.tell(interaction, THANKS)
        await self._feedback(interaction, entry_id, True)

    async def _feedback(self, interaction: discord.Interaction, entry_id: str, helpful: bool) -> None:
        """Record the verdict after answering (the 3-second deadline comes first); a failure only logs."""
        question = question_from(interaction.message) if interaction.message else ""
        try:
            await asyncio.to_thread(self.service.record_feedback, asker_from_interaction(interaction),
                                    entry_id, helpful, question or "")
        except AdmissionsError as exc:
            log.warning("Could not record feedback on %s: %s", entry_id, exc)

    async def not_what_i_asked(self, interaction: discord.Interaction, entry_id: str) -> None:
        shown = self._entry(entry_id)
        question = question_from(interaction.message) or (shown.question if shown else "")
        alternatives: tuple[Entry, ...] = ()
        if question:
            try:
                decision = await self._decide(question)
            except InvalidInput:
                decision = None
            if decision is not None:
                alternatives = self.service.alternatives(replace(decision, entry=shown))
        if alternatives:
            embed = clarify_embed(question, alternatives, "Sorry about that. Did you mean one of these?")
            await interaction.response.send_message(embed=embed, view=choices_view(alternatives), ephemeral=True)
        else:
            await interaction.response.send_message(embed=handoff_offer_embed(question), view=hand_off_view(),
                                                    ephemeral=True)
        await self._feedback(interaction, entry_id, False)

    async def talk_to_admissions(self, interaction: discord.Interaction) -> None:
        """"Talk to admissions" and "None of these": the question is read back from the message."""
        refusal = self._allowed(interaction.user.id)
        if refusal:
            await errors.tell(interaction, refusal)
            return
        question = question_from(interaction.message) or "(The student asked to talk to the admissions team.)"
        await self.escalate(interaction, question, await self._candidates(question))

    async def pick(self, interaction: discord.Interaction, entry_id: str) -> None:
        entry = self._entry(entry_id)
        if entry is None:
            await errors.tell(interaction, "That option is no longer in our FAQ. Please ask again with `/ask`.")
            return
        question = question_from(interaction.message) or entry.question
        decision = self.service.choose(question, entry_id)
        if decision.action is Action.ESCALATE:
            decision = replace(decision, candidates=await self._candidates(question) or (Candidate(entry.id, 100.0),))
        await self.act(interaction, decision)

    async def open_tour_form(self, interaction: discord.Interaction, *, asked: bool = False) -> None:
        """The tour form; `asked`: the message answered a tour question, whose words go with the request."""
        question = question_from(interaction.message) if asked else ""
        await interaction.response.send_modal(TourModal(question=question or TOUR_QUESTION))

    async def submit_tour(self, interaction: discord.Interaction, contact: TourContact, question: str) -> None:
        """File the tour ticket; a refusal keeps what the student typed (button to reopen, echo)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            ticket = await asyncio.to_thread(self.service.request_tour, asker_from_interaction(interaction), contact, question)
        except AdmissionsError as exc:
            typed = (f"\n\nWhat you entered:\nName: {contact.name}\nEmail: {contact.email}\n"
                     f"Preferred dates/times: {contact.preferred_times}\nNotes: {contact.notes or '-'}")
            await interaction.followup.send(clip(f"{exc}{typed}", 2000), view=FixTourView(contact, question), ephemeral=True)
            return
        await interaction.followup.send(embed=tour_confirmation_embed(ticket, self.closed_note()), ephemeral=True)
        await self.bot.delivery.post_ticket(ticket)

    async def my_tickets(self, interaction: discord.Interaction) -> None:
        """The student's tickets and staff replies; shown replies count as delivered."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        asker = asker_from_interaction(interaction)
        tickets: list[Ticket] = await asyncio.to_thread(self.service.tickets_for, asker, 10)
        if not tickets:
            await interaction.followup.send("You have no requests with the admissions team.", ephemeral=True)
            return
        pending = await asyncio.to_thread(self.service.undelivered_replies, asker)
        pending_ids = {r.id for _, r in pending}
        shown = list(pending)
        for ticket in tickets[:5]:  # the latest reply of recent tickets, if not already shown
            if ticket.replies and ticket.replies[-1].id not in pending_ids:
                shown.append((ticket, ticket.replies[-1]))
        embeds = [my_tickets_embed(tickets)]
        for ticket, reply in shown:
            embeds.extend(reply_embeds(ticket, reply))
        for pack in pack_embeds(embeds):
            await interaction.followup.send(embeds=pack, ephemeral=True)
        if pending:
            await self.bot.delivery.mark_shown([r for _, r in pending])
            for number in sorted({t.number for t, _ in pending}):
                await self.bot.delivery.refresh(number)

    # -- plain messages ---------------------------------------------------------------------
    def should_answer(self, message: discord.Message) -> bool:
        """DMs, help channels, and messages mentioning the bot; never bots, webhooks or the staff channel."""
        me = self.bot.user
        if message.author.bot or message.webhook_id is not None or message.author.system or me is None:
            return False
        if message.type not in ANSWERED_MESSAGE_TYPES:
            return False
        if message.guild is None:
            return True
        settings = self.bot.settings
        if settings.guild_id is not None and message.guild.id != settings.guild_id:
            return False
        channel = message.channel
        if channel.id == settings.staff_channel_id:
            return False
        parent_id = getattr(channel, "parent_id", None)
        if channel.id in settings.help_channel_ids or parent_id in settings.help_channel_ids:
            return True
        return any(user.id == me.id for user in message.mentions)

    async def on_message(self, message: discord.Message) -> None:
        if not self.should_answer(message):
            return
        me = self.bot.user
        text = re.sub(rf"<@!?{me.id}>", " ", message.content).strip() if me else message.content.strip()
        try:
            await self._answer_message(message, text)
        except AdmissionsError as exc:
            await self._reply(message, content=str(exc))
        except Exception:
            log.exception("Error answering message %s in channel %s", message.id, message.channel.id)
            await self._reply(message, content=errors.APOLOGY)

    async def _answer_message(self, message: discord.Message, text: str) -> None:
        if not text:
            await self._reply(message, content=HELLO)
            return
        result = self.bot.cooldown.hit(str(message.author.id))
        if not result.allowed:
            if result.first_refusal:  # say it once per window; stay quiet after that
                await self._reply(message, content=result.message())
            return
        decision = await self._decide(text)
        entry = decision.entry
        if decision.action in (Action.ANSWER, Action.TOUR) and entry is not None:
            view = answer_view(entry.id, tour_first=decision.action is Action.TOUR)
            await self._reply(message, embed=answer_embed(entry, decision.question), view=view)
        elif decision.action is Action.SMALLTALK and entry is not None:
            await self._reply(message, content=clip(entry.answer, 2000))
        elif decision.action is Action.CLARIFY:
            await self._reply(message, embed=clarify_embed(decision.question, decision.choices),
                              view=choices_view(decision.choices))
        else:
            candidates = decision.candidates or ((Candidate(entry.id, decision.score),) if entry else ())
            asker = asker_from_message(message)
            ticket = await asyncio.to_thread(self.service.escalate, asker, decision.question, candidates)
            await self._reply(message, content=ticket_filed_text(ticket, self.closed_note(), escalation_note(decision)))
            await self.bot.delivery.post_ticket(ticket)

    async def _reply(self, message: discord.Message, **kwargs: object) -> None:
        """Reply without pinging; a channel we may not post in is reported to staff once."""
        try:
            await message.channel.send(reference=message.to_reference(fail_if_not_exists=False),
                                       mention_author=False, **kwargs)  # type: ignore[arg-type]
        except discord.Forbidden as exc:
            await self.bot.delivery.report_missing_permission(message.channel.id, exc)
        except discord.HTTPException as exc:
            log.warning("Could not answer message %s: %s", message.id, exc)
