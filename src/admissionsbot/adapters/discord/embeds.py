"""Every message and embed the bot shows, built within Discord's size limits.

Discord rejects a message over its limits (2,000 characters of content;
embed title 256, description 4,096, field 1,024, footer 2,048, 6,000 in all,
10 embeds a message). Long FAQ answers, student questions and staff replies
are therefore trimmed or split here, on purpose, with a visible marker;
no other module formats text for Discord.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import discord

from ...core.limits import DISCORD_MESSAGE_CHARS
from ...core.models import Entry, Reply, Staff, Ticket, TicketKind, TicketStatus

MESSAGE_CHARS = DISCORD_MESSAGE_CHARS
TITLE_CHARS = 256
DESCRIPTION_CHARS = 4096
FIELD_NAME_CHARS = 256
FIELD_VALUE_CHARS = 1024
FOOTER_CHARS = 2048
EMBED_TOTAL_CHARS = 6000
EMBEDS_PER_MESSAGE = 10
BUTTON_LABEL_CHARS = 80
CUSTOM_ID_CHARS = 100

ELLIPSIS = "…"
QUESTION_PREFIX = "You asked: "

ANSWER_COLOUR = discord.Colour.blurple()
CLARIFY_COLOUR = discord.Colour.gold()
STATUS_COLOUR = {
    TicketStatus.OPEN: discord.Colour.orange(),
    TicketStatus.CLAIMED: discord.Colour.blue(),
    TicketStatus.ANSWERED: discord.Colour.green(),
    TicketStatus.CLOSED: discord.Colour.dark_grey(),
}


# -- text sizing ------------------------------------------------------------------------
def clip(text: str, limit: int, marker: str = ELLIPSIS) -> str:
    """`text` cut to at most `limit` characters, ending in `marker` when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(marker))].rstrip() + marker


def split_text(text: str, limit: int) -> list[str]:
    """Split into chunks of at most `limit`, preferring paragraph, line, then word breaks."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks or [""]


def fit(embed: discord.Embed) -> discord.Embed:
    """Trim the description so the whole embed stays within 6,000 characters."""
    excess = len(embed) - EMBED_TOTAL_CHARS
    if excess > 0 and embed.description:
        embed.description = clip(embed.description, max(1, len(embed.description) - excess))
    return embed


def pack_embeds(embeds: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds into messages of at most 10 embeds and 6,000 characters each."""
    packs: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in embeds:
        n = len(embed)
        if current and (len(current) == EMBEDS_PER_MESSAGE or size + n > EMBED_TOTAL_CHARS):
            packs.append(current)
            current, size = [], 0
        current.append(embed)
        size += n
    if current:
        packs.append(current)
    return packs


def message_chunks(text: str) -> list[str]:
    """Plain text split into messages of at most 2,000 characters."""
    return split_text(text, MESSAGE_CHARS)


# -- student side -----------------------------------------------------------------------
def _with_question(embed: discord.Embed, question: str) -> discord.Embed:
    """The question rides in the footer so buttons can read it back after a restart."""
    embed.set_footer(text=clip(QUESTION_PREFIX + question, FOOTER_CHARS))
    return fit(embed)


def question_from(message: discord.Message | None) -> str:
    """Read back the student's question from a message this bot built (footer), or ""."""
    if message is None:
        return ""
    for embed in message.embeds:
        text = embed.footer.text or ""
        if text.startswith(QUESTION_PREFIX):
            return text[len(QUESTION_PREFIX) :].strip()
    return ""


def answer_embed(entry: Entry, question: str, source_title: str = "") -> discord.Embed:
    """The answer with its source's human title (never the internal file name; none when untitled)."""
    embed = discord.Embed(
        title=clip(entry.question, TITLE_CHARS),
        description=clip(entry.answer, DESCRIPTION_CHARS),
        colour=ANSWER_COLOUR,
    )
    if source_title:
        embed.add_field(name="Source", value=clip(source_title, FIELD_VALUE_CHARS), inline=False)
    return _with_question(embed, question)


def clarify_embed(question: str, choices: Sequence[Entry], intro: str = "") -> discord.Embed:
    lines = [intro or "I'm not sure which of these you mean. Pick one, or ask the admissions team:"]
    lines += [f"• {clip(c.question, 200)}" for c in choices]
    embed = discord.Embed(title="Did you mean…?", description="\n".join(lines), colour=CLARIFY_COLOUR)
    return _with_question(embed, question)


def offer_embed(question: str, message: str) -> discord.Embed:
    """No answer: the offer to pass the question on; nothing is filed until the button is pressed."""
    embed = discord.Embed(title="Ask the admissions team?", description=clip(message, DESCRIPTION_CHARS),
                          colour=CLARIFY_COLOUR)
    return _with_question(embed, question)


def tour_intro_embed(intro: str, question: str = "") -> discord.Embed:
    """Shown where a form cannot open at once (a plain message, a deferred interaction): the button opens it."""
    text = intro or "Press the button to book a campus tour; your details stay private."
    embed = discord.Embed(title="Campus tour", description=clip(text, DESCRIPTION_CHARS), colour=ANSWER_COLOUR)
    return _with_question(embed, question) if question else fit(embed)


def ticket_filed_text(ticket: Ticket, closed_note: str = "", lead: str | None = None) -> str:
    """Tells the student the ticket number and where the reply will come.

    `lead` explains a hand-off (from the FAQ entry) and already says the
    question was passed on, so the number then follows on its own.
    """
    what = "tour request" if ticket.kind is TicketKind.TOUR else "question"
    where = ("Their reply will come to you as a direct message from me; if your DMs are closed, "
             "use `/mytickets` to read it.")
    if lead:
        text = f"{lead}\nYour {what} is ticket **#{ticket.number}**. {where}"
    else:
        text = f"I've passed your {what} to the admissions team as ticket **#{ticket.number}**. {where}"
    if closed_note:
        text += "\n" + closed_note
    return clip(text, MESSAGE_CHARS)


def tour_confirmation_embed(ticket: Ticket, closed_note: str = "") -> discord.Embed:
    """Ephemeral only: it repeats the student's contact details back to them."""
    contact = ticket.contact
    embed = discord.Embed(title=f"Tour request #{ticket.number} received", colour=ANSWER_COLOUR,
                          description=ticket_filed_text(ticket, closed_note))
    if contact is not None:
        embed.add_field(name="Name", value=clip(contact.name, FIELD_VALUE_CHARS))
        embed.add_field(name="Email", value=clip(contact.email, FIELD_VALUE_CHARS))
        embed.add_field(name="Preferred dates/times", value=clip(contact.preferred_times, FIELD_VALUE_CHARS),
                        inline=False)
    return fit(embed)


def reply_embeds(ticket: Ticket, reply: Reply) -> list[discord.Embed]:
    """A staff reply as the student sees it; a long reply is split over several embeds."""
    parts = split_text(reply.text, DESCRIPTION_CHARS)
    embeds = []
    for i, part in enumerate(parts, 1):
        title = f"Reply from the admissions team (ticket #{ticket.number})"
        if len(parts) > 1:
            title += f" {i}/{len(parts)}"
        embeds.append(discord.Embed(title=title, description=part, colour=ANSWER_COLOUR))
    embeds[-1].set_footer(text=clip(f"Your question: {ticket.question}", 500))
    return [fit(e) for e in embeds]


def my_tickets_embed(tickets: Sequence[Ticket]) -> discord.Embed:
    lines = [
        f"**#{t.number}** · {t.status.value} · {clip(t.question, 80)}"
        + (f" · {len(t.replies)} repl{'y' if len(t.replies) == 1 else 'ies'}" if t.replies else "")
        for t in tickets
    ]
    return discord.Embed(title="Your requests to the admissions team",
                         description=clip("\n".join(lines), DESCRIPTION_CHARS), colour=ANSWER_COLOUR)


def reply_waiting_text(display_name: str) -> str:
    """Posted where the student asked when a DM fails; never contains the reply itself."""
    return clip(f"{display_name}: a reply from the admissions team is waiting for you. "
                "Use `/mytickets` to read it (I couldn't send you a direct message).", MESSAGE_CHARS)


# -- staff side -------------------------------------------------------------------------
def staff_ticket_embed(ticket: Ticket, question_of: Callable[[str], str | None]) -> discord.Embed:
    """The staff-channel card for a ticket; rebuilt from the store on every change."""
    kind = "Tour request" if ticket.kind is TicketKind.TOUR else "Question"
    embed = discord.Embed(
        title=clip(f"Ticket #{ticket.number} · {kind} · {ticket.status.value}", TITLE_CHARS),
        description=clip(ticket.question, 3000, f"{ELLIPSIS} (see /queue show {ticket.number})"),
        colour=STATUS_COLOUR[ticket.status],
        timestamp=ticket.created_at,
    )
    asker = ticket.asker
    embed.add_field(name="Asker", value=clip(f"{asker.display_name} (<@{asker.user_id}>)" if asker.platform == "discord"
                                             else f"{asker.display_name} ({asker.platform})", FIELD_VALUE_CHARS))
    embed.add_field(name="Asked in", value=_where(ticket))
    if ticket.contact is not None:
        c = ticket.contact
        details = f"**Name:** {c.name}\n**Email:** {c.email}\n**When:** {c.preferred_times}"
        if c.notes:
            details += f"\n**Notes:** {c.notes}"
        embed.add_field(name="Tour details", value=clip(details, FIELD_VALUE_CHARS), inline=False)
    if ticket.candidates:
        lines = [f"`{c.score:5.1f}` {clip(question_of(c.entry_id) or c.entry_id, 90)} (`{c.entry_id}`)"
                 for c in ticket.candidates[:5]]
        embed.add_field(name="Top FAQ matches", value=clip("\n".join(lines), FIELD_VALUE_CHARS), inline=False)
    if ticket.reason is not None:
        why = ticket.reason.value
        if ticket.rejected_entry:
            title = question_of(ticket.rejected_entry) or ticket.rejected_entry
            why += f" (rejected answer: {clip(title, 90)} `{ticket.rejected_entry}`)"
        embed.add_field(name="Why it came to staff", value=clip(why, FIELD_VALUE_CHARS), inline=False)
    if ticket.claimed_by:
        embed.add_field(name="Claimed by", value=clip(staff_shown(ticket.claimed_by), FIELD_VALUE_CHARS))
    if ticket.close_reason:
        embed.add_field(name="Close reason", value=clip(ticket.close_reason, FIELD_VALUE_CHARS), inline=False)
    if ticket.replies:
        embed.add_field(name="Replies", value=_replies_summary(ticket.replies), inline=False)
    if ticket.followups:
        latest = [f"<t:{int(f.created_at.timestamp())}:R>: {clip(f.text, 300)}" for f in ticket.followups[-2:]]
        embed.add_field(name=f"The student wrote back ({len(ticket.followups)})",
                        value=clip("\n".join(latest), FIELD_VALUE_CHARS), inline=False)
    return fit(embed)


def staff_shown(staff: Staff) -> str:
    """A staff member by their latest name; a Discord member also as a mention (it renders their name, pings none)."""
    if staff.platform == "discord" and staff.user_id.isdigit():
        return f"{staff} (<@{staff.user_id}>)"
    return f"{staff} ({staff.platform})"


def _where(ticket: Ticket) -> str:
    asker = ticket.asker
    if asker.private:
        return "Direct message"
    if asker.link:
        return clip(f"[jump to message]({asker.link})", FIELD_VALUE_CHARS)
    return f"<#{asker.location}>" if asker.location.isdigit() else (asker.location or "unknown")


def _replies_summary(replies: Iterable[Reply]) -> str:
    lines = []
    for r in list(replies)[-4:]:
        if r.delivered_at is not None:
            status = "delivered"
        elif r.delivery_attempts:
            status = f"⚠️ NOT delivered yet ({r.delivery_attempts} tries: {clip(r.last_error, 80)}); retrying"
        else:
            status = "delivering…"
        lines.append(f"**{clip(str(r.author), 60)}:** {clip(r.text, 120)} — {status}")
    return clip("\n".join(lines), FIELD_VALUE_CHARS)


def ticket_list_embed(tickets: Sequence[Ticket], title: str) -> discord.Embed:
    if not tickets:
        return discord.Embed(title=title, description="No tickets.", colour=ANSWER_COLOUR)
    lines = []
    for t in tickets:
        pending = any(r.delivered_at is None for r in t.replies)
        flag = " · ⚠️ reply pending" if pending else ""
        who = f" · {t.claimed_by}" if t.claimed_by else ""
        lines.append(f"**#{t.number}** {t.kind.value} · {t.status.value}{who}{flag} — {clip(t.question, 70)}")
    return discord.Embed(title=title, description=clip("\n".join(lines), DESCRIPTION_CHARS), colour=ANSWER_COLOUR)


def full_text_embeds(title: str, text: str) -> list[discord.Embed]:
    """A long text (a full question) over as many embeds as it needs."""
    parts = split_text(text, DESCRIPTION_CHARS - 96)
    return [discord.Embed(title=clip(f"{title} ({i}/{len(parts)})" if len(parts) > 1 else title, TITLE_CHARS),
                          description=p) for i, p in enumerate(parts, 1)]


def staff_note_text(text: str) -> str:
    return clip(text, MESSAGE_CHARS)
