"""Student commands and the message listener: thin wrappers over StudentFlows.

Slash commands, DMs and mentions need no privileged intent; answering every
message in the help channels needs the message-content intent (see bot.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...core.limits import QUESTION_CHARS
from . import errors

if TYPE_CHECKING:
    from .bot import AdmissionsBot


class StudentCog(commands.Cog, name="Students"):
    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """/ask, /tour and /mytickets: in DMs or the configured server only, like plain messages."""
        return errors.require_our_server(interaction)

    @app_commands.command(name="ask", description="Ask the admissions assistant a question")
    @app_commands.describe(question="Your question, in your own words")
    async def ask(self, interaction: discord.Interaction, question: app_commands.Range[str, 1, QUESTION_CHARS]) -> None:
        await self.bot.student.ask(interaction, question)

    @app_commands.command(name="tour", description="Request a campus tour (your details stay private)")
    async def tour(self, interaction: discord.Interaction) -> None:
        await self.bot.student.open_tour_form(interaction)

    @app_commands.command(name="mytickets", description="Your requests to the admissions team and their replies")
    async def mytickets(self, interaction: discord.Interaction) -> None:
        await self.bot.student.my_tickets(interaction)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        await self.bot.student.on_message(message)

