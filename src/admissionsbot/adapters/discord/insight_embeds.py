"""Embeds for the knowledge loop: a learn's result, the gaps, the figures and the weekly digest.

Rendering only (core/stats.py, core/gaps.py, core/digest.py compute); sizes
are kept within Discord's limits with embeds.clip. Question texts are
students' words: the bot's AllowedMentions.none() keeps them from pinging.
"""

from __future__ import annotations

import discord

from ...core.digest import Digest
from ...core.gaps import GapGroup, Gaps
from ...core.learning import Learned
from ...core.stats import Report, duration, report_lines
from .embeds import ANSWER_COLOUR, CLARIFY_COLOUR, DESCRIPTION_CHARS, FIELD_VALUE_CHARS, MESSAGE_CHARS, clip, fit

GAPS_SHOWN = 10


def learned_text(number: int, learned: Learned) -> str:
    """The confirmation with the change as a diff (cut to one message)."""
    what = "a new entry" if learned.new_entry else "a new phrasing of entry"
    lead = (f"Learned ticket #{number} into {what} `{learned.entry_id}` ({learned.file.name}). The bot answers it "
            "from the next question on.")
    if learned.warnings:
        lead += "\n" + "\n".join(f"⚠️ {w.message}" for w in learned.warnings)
    if not learned.logged:
        lead += "\n(The ticket's log could not be updated.)"
    diff = learned.diff.replace("```", "'''")
    room = MESSAGE_CHARS - len(lead) - 20
    return f"{lead}\n```diff\n{clip(diff, max(room, 0))}\n```" if room > 100 else clip(lead, MESSAGE_CHARS)


def gap_lines(groups: tuple[GapGroup, ...], limit: int, examples: int = 3) -> list[str]:
    lines = []
    for i, group in enumerate(groups[:limit], 1):
        closest = (f"closest `{group.closest.entry_id}` ({group.closest.score:.0f})" if group.closest.entry_id
                   else "no close entry")
        answered = group.answered_tickets
        tickets = f" · answered on {', '.join(f'#{n}' for n in answered[:5])}" if answered else ""
        lines.append(f"**{i}. {group.count}×** {closest}{tickets}")
        lines.extend(f"  • {clip(' '.join(e.split()), 120)}" for e in group.examples(examples))
    return lines


def gaps_embed(gaps: Gaps, days: int | None) -> discord.Embed:
    questions = sum(g.count for g in gaps.groups)
    period = f" in the last {days} days" if days else ""
    lines = gap_lines(gaps.groups, GAPS_SHOWN) or ["No unanswered questions" + period + ". 🎉"]
    notes = []
    if gaps.covered:
        notes.append(f"{gaps.covered} more are answered by the FAQ now")
    if gaps.without_text:
        notes.append(f"{gaps.without_text} recorded without text (record_question_text is off)")
    embed = discord.Embed(title=clip(f"What to write next: {questions} questions in {len(gaps.groups)} groups{period}",
                                     256),
                          description=clip("\n".join(lines), DESCRIPTION_CHARS), colour=CLARIFY_COLOUR)
    embed.set_footer(text="Learn an answered ticket: the Add to FAQ button on its card, or admissionsbot faq learn N"
                     + (" · " + "; ".join(notes) if notes else ""))
    return fit(embed)


def stats_embed(report: Report, days: int | None, chart_note: str = "") -> discord.Embed:
    period = f"last {days} days" if days else "all time"
    embed = discord.Embed(title=f"Admissions figures ({period})", colour=ANSWER_COLOUR,
                          description=clip("\n".join(report_lines(report)), DESCRIPTION_CHARS))
    misses = [f for f in report.feedback if f.not_helpful or f.helpful][:8]
    if misses:
        value = "\n".join(f"`{f.entry_id}`: {f.not_helpful} not what I asked, {f.helpful} helpful" for f in misses)
        embed.add_field(name="Answer feedback", value=clip(value, FIELD_VALUE_CHARS), inline=False)
    if chart_note:
        embed.set_footer(text=chart_note)
    return fit(embed)


def digest_embed(digest: Digest) -> discord.Embed:
    report = digest.report
    embed = discord.Embed(title=f"Weekly admissions digest (week of {digest.week_of})", colour=ANSWER_COLOUR,
                          description=clip("\n".join(report_lines(report)), DESCRIPTION_CHARS))
    gaps = gap_lines(digest.gaps, len(digest.gaps), examples=2)
    embed.add_field(name="Top gaps: what to write next", value=clip("\n".join(gaps) or "None this week.",
                                                                    FIELD_VALUE_CHARS), inline=False)
    misses = "\n".join(f"`{t.entry_id}`: {t.not_helpful}× not what I asked" for t in digest.misses)
    embed.add_field(name="Most often \"not what I asked\"", value=clip(misses or "None this week.", FIELD_VALUE_CHARS),
                    inline=False)
    embed.set_footer(text=f"First reply within {duration(report.to_first_reply.p90)} for 90% of tickets · "
                     "/stats and /faq gaps for more")
    return fit(embed)
