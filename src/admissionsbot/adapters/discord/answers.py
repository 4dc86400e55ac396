"""The student side: hand each turn to the conversation layer, render the Outcome.

Used by the student cog (/ask, /tour, /mytickets, plain messages) and by the
student buttons and the tour form. Nothing here decides: the conversation
(core.conversation) does, always off the event loop. Interaction answers are
ephemeral (an admissions question can be personal); answers to a plain
message are replies to that message.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord

from ...core.chatter import addressed_to_bot
from ...core.desk import TOUR_QUESTION
from ...core.errors import AdmissionsError, StorageError
from ...core.models import Asker, Ticket, TourContact
from ...core.outcomes import (
    Answered,
    ChooseSlot,
    Clarify,
    Nudge,
    OfferStaff,
    OpenTourForm,
    Outcome,
    Refused,
    SmallTalk,
    TicketFiled,
)
from . import errors
from .dynamic_items import answer_view, choices_view, offer_view, tour_view
from .embeds import (
    MESSAGE_CHARS,
    answer_embed,
    clarify_embed,
    clip,
    my_tickets_embed,
    offer_embed,
    pack_embeds,
    question_from,
    reply_embeds,
    ticket_filed_text,
    tour_confirmation_embed,
    tour_intro_embed,
)
from .identity import asker_from_interaction, asker_from_message
from .modals import FixTourView, TourModal
from .queue_items import MAX_FOLLOWUP_BUTTONS, followup_view
from .tour_flows import TOUR_OUTCOMES

if TYPE_CHECKING:
    from ...core.conversation import Conversation
    from .bot import AdmissionsBot

log = logging.getLogger(__name__)

HELLO = ("Hi! Ask me about careers in music production, e.g. *Do internships pay?* What I can't answer, I can "
         "pass to the admissions team. You can also use `/ask`.")
THANKS = "Thanks for letting us know. Glad it helped!"
ANSWERED_MESSAGE_TYPES = (discord.MessageType.default, discord.MessageType.reply)
#: Past this, an interaction is deferred while the turn finishes (Discord allows 3 seconds for a first answer).
DEFER_AFTER_SECONDS = 2.0
T = TypeVar("T")


class StudentFlows:
    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot

    @property
    def conversation(self) -> Conversation:
        return self.bot.conversation

    def _allowed(self, user_id: int) -> str:
        """"" when the user may go ahead, else the polite cooldown message."""
        result = self.bot.cooldown.hit(str(user_id))
        return "" if result.allowed else result.message()

    async def _turn(self, interaction: discord.Interaction, fn: Callable[..., T], *args: Any) -> T:
        """Run a conversation call in a worker thread; defer the interaction if it runs long."""
        task = asyncio.ensure_future(asyncio.to_thread(fn, *args))
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER_SECONDS)
        if not done and not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        return await task

    # -- interactions -----------------------------------------------------------------------
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        refusal = self._allowed(interaction.user.id)
        if refusal:
            await errors.tell(interaction, refusal)
            return
        asker = asker_from_interaction(interaction)
        await self.render(interaction, await self._turn(interaction, self.conversation.ask, asker, question))

    async def render(self, interaction: discord.Interaction, outcome: Outcome) -> None:
        """Show an outcome ephemerally: answer, choices, offer, ticket, tour form, nudge or refusal."""
        send: Callable[..., Awaitable[Any]] = (
            interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
        )
        if isinstance(outcome, Answered):
            await send(embed=answer_embed(outcome.entry, outcome.question, outcome.source_title),
                       view=answer_view(outcome.entry.id), ephemeral=True)
        elif isinstance(outcome, Clarify):
            await send(embed=clarify_embed(outcome.question, outcome.choices, outcome.intro),
                       view=choices_view(outcome.choices, outcome.rejected_entry), ephemeral=True)
        elif isinstance(outcome, OfferStaff):
            await send(embed=offer_embed(outcome.question, outcome.message), view=offer_view(outcome.rejected_entry),
                       ephemeral=True)
        elif isinstance(outcome, OpenTourForm):
            if interaction.response.is_done():  # deferred: a modal can only be the first answer
                asked = outcome.question != TOUR_QUESTION  # the student's words go with the request via the footer
                await send(embed=tour_intro_embed(outcome.intro, outcome.question if asked else ""),
                           view=tour_view(asked=asked), ephemeral=True)
            else:
                await interaction.response.send_modal(TourModal(question=outcome.question))
        elif isinstance(outcome, TicketFiled):
            if outcome.ticket.contact is not None:
                await send(embed=tour_confirmation_embed(outcome.ticket, outcome.closed_note), ephemeral=True)
            else:
                await send(ticket_filed_text(outcome.ticket, outcome.closed_note, outcome.lead), ephemeral=True)
            if outcome.new:  # the same question again: staff already have its card
                await self.bot.delivery.post_ticket(outcome.ticket)
        elif isinstance(outcome, (SmallTalk, Nudge)):
            await send(clip(outcome.text, MESSAGE_CHARS), ephemeral=True)
        elif isinstance(outcome, Refused):
            await send(clip(outcome.reason, MESSAGE_CHARS), ephemeral=True)
        elif isinstance(outcome, TOUR_OUTCOMES):  # tour times, the booking form, booked, cancelled
            await self.bot.tours.render(interaction, outcome)

    async def helpful(self, interaction: discord.Interaction, entry_id: str) -> None:
        if await self._refused(interaction):
            return
        log.info("helpful: entry=%s user=%s", entry_id, interaction.user.id)
        await errors.tell(interaction, THANKS)
        try:  # after answering: the 3-second deadline comes first; a failure only logs
            await asyncio.to_thread(self.conversation.helpful, asker_from_interaction(interaction), entry_id,
                                    question_from(interaction.message))
        except AdmissionsError as exc:
            log.warning("Could not record feedback on %s: %s", entry_id, exc)

    async def not_what_i_asked(self, interaction: discord.Interaction, entry_id: str) -> None:
        """Record the miss; offer the other candidates, or to pass the question on."""
        if await self._refused(interaction):
            return
        question = question_from(interaction.message)
        if not question:
            entry = self.bot.answerer.entry(entry_id)
            question = entry.question if entry else ""
        asker = asker_from_interaction(interaction)
        await self.render(interaction, await self._turn(interaction, self.conversation.not_what_i_asked, asker,
                                                        question, entry_id))

    async def talk_to_admissions(self, interaction: discord.Interaction, rejected_entry: str | None) -> None:
        """"Talk to admissions" under an answer: the question is read back from the message."""
        if await self._refused(interaction):
            return
        asker = asker_from_interaction(interaction)
        question = question_from(interaction.message)
        await self.render(interaction, await self._turn(interaction, self.conversation.talk_to_staff, asker,
                                                        question, rejected_entry))

    async def none_of_these(self, interaction: discord.Interaction, rejected_entry: str | None) -> None:
        if await self._refused(interaction):
            return
        asker = asker_from_interaction(interaction)
        question = question_from(interaction.message)
        fn = self.conversation.none_of_these if question else self.conversation.talk_to_staff
        await self.render(interaction, await self._turn(interaction, fn, asker, question, rejected_entry))

    async def accept_offer(self, interaction: discord.Interaction, rejected_entry: str | None) -> None:
        """"Ask the admissions team" under an offer: the student agreed to pass the question on."""
        if await self._refused(interaction):
            return
        asker = asker_from_interaction(interaction)
        question = question_from(interaction.message)
        await self.render(interaction, await self._turn(interaction, self.conversation.accept_offer, asker, question,
                                                        rejected_entry))

    async def pick(self, interaction: discord.Interaction, entry_id: str) -> None:
        if await self._refused(interaction):
            return
        asker = asker_from_interaction(interaction)
        entry = self.bot.answerer.entry(entry_id)
        question = question_from(interaction.message) or (entry.question if entry else "")
        await self.render(interaction, await self._turn(interaction, self.conversation.pick, asker, question, entry_id))

    async def open_tour_form(self, interaction: discord.Interaction, *, asked: bool = False) -> None:
        """The tour form (after the open-ticket cap check); `asked`: the student's words go with the request."""
        if await self._refused(interaction):
            return
        # the student's own words go with the request; another member's words stay theirs
        question = question_from(interaction.message) if asked and not errors.asked_by_someone_else(interaction) else ""
        asker = asker_from_interaction(interaction)
        outcome = await self._turn(interaction, self.conversation.request_tour, asker, question or TOUR_QUESTION)
        await self.render(interaction, outcome)

    async def submit_tour(self, interaction: discord.Interaction, contact: TourContact, question: str) -> None:
        """File the tour ticket; a refusal keeps what the student typed (button to reopen, echo)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        asker = asker_from_interaction(interaction)
        refusal = self._allowed(interaction.user.id)
        outcome: Outcome = (Refused(refusal) if refusal else
                            await asyncio.to_thread(self.conversation.submit_tour, asker, contact, question))
        if isinstance(outcome, Refused):
            typed = (f"\n\nWhat you entered:\nName: {contact.name}\nEmail: {contact.email}\n"
                     f"Preferred dates/times: {contact.preferred_times}\nNotes: {contact.notes or '-'}")
            await interaction.followup.send(clip(f"{outcome.reason}{typed}", MESSAGE_CHARS),
                                            view=FixTourView(contact, question),
                                            ephemeral=True)
            return
        await self.render(interaction, outcome)

    async def _refused(self, interaction: discord.Interaction) -> bool:
        refusal = self._allowed(interaction.user.id)
        if refusal:
            await errors.tell(interaction, refusal)
        return bool(refusal)

    async def my_tickets(self, interaction: discord.Interaction) -> None:
        """The student's tickets and staff replies; shown replies count as delivered."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        asker = asker_from_interaction(interaction)
        desk = self.bot.desk
        tickets: list[Ticket] = await asyncio.to_thread(desk.tickets_for, asker, 10)
        if not tickets:
            await interaction.followup.send("You have no requests with the admissions team.", ephemeral=True)
            return
        pending = await asyncio.to_thread(desk.undelivered_replies, asker)
        pending_ids = {r.id for _, r in pending}
        shown = list(pending)
        for ticket in tickets[:5]:  # the latest reply of recent tickets, if not already shown
            if ticket.replies and ticket.replies[-1].id not in pending_ids:
                shown.append((ticket, ticket.replies[-1]))
        embeds = [my_tickets_embed(tickets)]
        for ticket, reply in shown:
            embeds.extend(reply_embeds(ticket, reply))
        packs = pack_embeds(embeds)
        answerable = [t.number for t in tickets if t.replies][:MAX_FOLLOWUP_BUTTONS]  # "Reply to #N" under the list
        for i, pack in enumerate(packs):
            if answerable and i == len(packs) - 1:
                view = followup_view(answerable, labelled=True)
                await interaction.followup.send(embeds=pack, ephemeral=True, view=view)
            else:
                await interaction.followup.send(embeds=pack, ephemeral=True)
        await self.bot.tours.show_bookings(interaction, asker)  # upcoming tours, with Cancel / Move
        if pending:
            await self.bot.delivery.mark_shown([r for _, r in pending])
            for number in sorted({t.number for t, _ in pending}):
                await self.bot.delivery.refresh(number)

    # -- plain messages ---------------------------------------------------------------------
    def should_answer(self, message: discord.Message) -> bool:
        """DMs, and in the server: messages addressed to the bot (never bots, webhooks or the staff channel).

        In a help channel that is a mention of the bot, a reply to the bot, or a
        question that neither mentions nor replies to anybody else (core.chatter);
        students chatting with each other are left alone. Elsewhere only a mention.
        """
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
        mentions_bot = any(user.id == me.id for user in message.mentions)
        parent_id = getattr(channel, "parent_id", None)
        if channel.id not in settings.help_channel_ids and parent_id not in settings.help_channel_ids:
            return mentions_bot
        replied = message.reference.resolved if message.reference is not None else None
        replied_author = getattr(replied, "author", None)
        replies_to_bot = replied_author is not None and replied_author.id == me.id
        replies_to_self = replied_author is not None and replied_author.id == message.author.id
        others = [u for u in message.mentions if u.id != me.id and u.id != message.author.id]
        return addressed_to_bot(
            message.content,
            mentions_bot=mentions_bot,
            replies_to_bot=replies_to_bot,
            mentions_others=bool(others or message.role_mentions or message.mention_everyone),
            replies_to_others=message.reference is not None and not (replies_to_bot or replies_to_self),
        )

    async def on_message(self, message: discord.Message) -> None:
        if not self.should_answer(message):
            return
        me = self.bot.user
        text = re.sub(rf"<@!?{me.id}>", " ", message.content).strip() if me else message.content.strip()
        try:
            await self._answer_message(message, text)
        except StorageError as exc:  # never the database's details in a (possibly public) reply
            await self.bot.delivery.report_storage_error(exc)
            await self._reply(message, content=errors.STORAGE_APOLOGY)
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
        asker: Asker = asker_from_message(message)
        outcome = await asyncio.to_thread(self.conversation.ask, asker, text)
        await self._render_reply(message, outcome)

    async def _render_reply(self, message: discord.Message, outcome: Outcome) -> None:
        """Show an outcome as a reply to the student's message (public in a channel)."""
        if isinstance(outcome, Answered):
            await self._reply(message, embed=answer_embed(outcome.entry, outcome.question, outcome.source_title),
                              view=answer_view(outcome.entry.id))
        elif isinstance(outcome, Clarify):
            await self._reply(message, embed=clarify_embed(outcome.question, outcome.choices, outcome.intro),
                              view=choices_view(outcome.choices, outcome.rejected_entry))
        elif isinstance(outcome, OfferStaff):
            await self._reply(message, embed=offer_embed(outcome.question, outcome.message),
                              view=offer_view(outcome.rejected_entry))
        elif isinstance(outcome, OpenTourForm):  # a message cannot open a form: a button does
            await self._reply(message, embed=tour_intro_embed(outcome.intro, outcome.question),
                              view=tour_view(asked=True))
        elif isinstance(outcome, TicketFiled):
            await self._reply(message, content=ticket_filed_text(outcome.ticket, outcome.closed_note, outcome.lead))
            if outcome.new:
                await self.bot.delivery.post_ticket(outcome.ticket)
        elif isinstance(outcome, (SmallTalk, Nudge)):
            await self._reply(message, content=clip(outcome.text, MESSAGE_CHARS))
        elif isinstance(outcome, Refused):
            await self._reply(message, content=clip(outcome.reason, MESSAGE_CHARS))
        elif isinstance(outcome, ChooseSlot):  # the open tour times: anyone may pick one for themselves
            await self.bot.tours.render_reply(message, outcome)

    async def _reply(self, message: discord.Message, **kwargs: Any) -> None:
        """Reply without pinging; a channel we may not post in is reported to staff once."""
        try:
            await message.channel.send(reference=message.to_reference(fail_if_not_exists=False),
                                       mention_author=False, **kwargs)
        except discord.Forbidden as exc:
            await self.bot.delivery.report_missing_permission(message.channel.id, exc)
        except discord.HTTPException as exc:
            log.warning("Could not answer message %s: %s", message.id, exc)
