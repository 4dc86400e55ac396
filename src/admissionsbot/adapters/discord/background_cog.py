"""The bot's background work as a cog that owns its loop: retrying staff posts and replies.

The loop starts when the cog is added (its first pass is the start-up pass,
so what was pending while the bot was down goes out at once) and stops when
the cog is removed or the bot closes. The interval is the
`retry_interval_seconds` setting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands, tasks

if TYPE_CHECKING:
    from .bot import AdmissionsBot


class BackgroundCog(commands.Cog, name="Background"):
    def __init__(self, bot: AdmissionsBot) -> None:
        self.bot = bot
        self.retry.change_interval(seconds=bot.settings.retry_interval_seconds)

    async def cog_load(self) -> None:
        self.retry.start()

    async def cog_unload(self) -> None:
        self.retry.cancel()

    @tasks.loop(seconds=60.0)
    async def retry(self) -> None:
        """Post what staff have not seen yet and deliver replies students have not had yet."""
        await self.bot.delivery.retry_pending()
