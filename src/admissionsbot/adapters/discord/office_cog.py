"""Staff slash commands for canned replies and privacy requests: /snippet ..., /privacy forget.

Thin wrappers over OfficeFlows (office.py). Like the staff cog, every command
checks the member's roles each time; default permissions only hide commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands

from ...core.limits import SNIPPET_CHARS, SNIPPET_NAME_CHARS
from .staff_cog import StaffOnlyCog, staff_group

if TYPE_CHECKING:
    pass


class OfficeCog(StaffOnlyCog, name="Office"):
    snippet = staff_group("snippet", "Admissions staff: canned replies")
    privacy = staff_group("privacy", "Admissions staff: data requests")

    @snippet.command(name="add", description="Add a canned reply to insert by name")
    @app_commands.describe(name="A short name: lowercase letters, digits, - or _", text="The text to insert")
    async def snippet_add(self, interaction: discord.Interaction,
                          name: app_commands.Range[str, 1, SNIPPET_NAME_CHARS],
                          text: app_commands.Range[str, 1, SNIPPET_CHARS]) -> None:
        await self.bot.office.snippet_add(interaction, name, text)

    @snippet.command(name="list", description="List the canned replies")
    async def snippet_list(self, interaction: discord.Interaction) -> None:
        await self.bot.office.snippet_list(interaction)

    @snippet.command(name="remove", description="Remove a canned reply")
    async def snippet_remove(self, interaction: discord.Interaction,
                             name: app_commands.Range[str, 1, SNIPPET_NAME_CHARS]) -> None:
        await self.bot.office.snippet_remove(interaction, name)

    @privacy.command(name="forget", description="Remove one person's personal data everywhere (asks to confirm)")
    @app_commands.describe(user_id="Their Discord user id (or console name)", platform="Where they asked")
    async def privacy_forget(self, interaction: discord.Interaction, user_id: app_commands.Range[str, 1, 60],
                             platform: Literal["discord", "console"] = "discord") -> None:
        await self.bot.office.confirm_forget(interaction, platform, user_id)
