"""The discord.py Bot subclass: wiring only.

`setup_hook` (runs once, unlike on_ready) registers the persistent buttons,
adds the cogs (students, staff, and the background cog whose retry loop runs
in the leading process only, its first pass at start-up) and installs the
tree's error handler. Mentions are locked down at bot level so nothing the bot
echoes (FAQ text, student questions, staff replies) can ping anyone.

`leadership` is this process's view of the leader lease (adapters/leadership.py);
`standby=True` (`run --standby`) means the process connected only once it led,
so it must leave Discord if it ever stops leading (`lost_lead` is then set).
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands, tasks

from ...bootstrap import Assistant
from ...config import Settings
from ...core.cooldown import Cooldown
from ..leadership import Leadership
from . import errors
from .answers import StudentFlows
from .background_cog import BackgroundCog
from .delivery import Delivery
from .dynamic_items import DYNAMIC_ITEMS
from .followups import FollowUpFlows
from .handover import HandoverFlows
from .knowledge_flows import KnowledgeFlows
from .office import OfficeFlows
from .office_cog import OfficeCog
from .queue_items import QUEUE_ITEMS
from .staff_actions import StaffFlows
from .staff_cog import StaffCog
from .student_cog import StudentCog
from .tour_delivery import TourMessenger
from .tour_flows import TourFlows
from .tour_items import TOUR_ITEMS
from .tours_cog import ToursCog

log = logging.getLogger(__name__)


def make_intents(settings: Settings) -> discord.Intents:
    """Only what is used; message content (privileged) only when help channels are configured."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = bool(settings.help_channel_ids)
    return intents


class AdmissionsBot(commands.Bot):
    def __init__(
        self,
        assistant: Assistant,
        settings: Settings,
        *,
        application_id: int | None = None,
        background: bool = True,
        leadership: Leadership | None = None,
        standby: bool = False,
    ) -> None:
        # None: discord.py learns the id at login (its options type the keyword as int only)
        extra: dict[str, Any] = {} if application_id is None else {"application_id": application_id}
        super().__init__(
            command_prefix=commands.when_mentioned,  # unused: no prefix commands; see on_message
            help_command=None,
            intents=make_intents(settings),
            allowed_mentions=discord.AllowedMentions.none(),
            **extra,
        )
        self.assistant = assistant
        self.answerer = assistant.answerer
        self.desk = assistant.desk
        self.conversation = assistant.conversation
        self.settings = settings
        self.cooldown = Cooldown(settings.cooldown_messages, settings.cooldown_seconds)
        self.leadership = leadership or Leadership(self.desk, settings.standby_takeover_seconds)
        self.standby = standby
        self.lost_lead = False
        self.delivery = Delivery(self)
        self.student = StudentFlows(self)
        self.staff = StaffFlows(self)
        self.tours = TourFlows(self)  # booking campus tours by slot
        self.tour_messenger = TourMessenger(self)  # tour reminders and cancellation notices (leader only)
        self.handover = HandoverFlows(self)
        self.followups = FollowUpFlows(self)
        self.office = OfficeFlows(self)  # snippets, privacy requests, reminders, the retention purge
        self.knowledge = KnowledgeFlows(self)  # Add to FAQ, /faq gaps, /stats, the weekly digest
        self._background = background

    async def setup_hook(self) -> None:
        self.add_dynamic_items(*DYNAMIC_ITEMS, *QUEUE_ITEMS, *TOUR_ITEMS)
        cogs: list[commands.Cog] = [StudentCog(self), StaffCog(self), OfficeCog(self), ToursCog(self)]
        if self._background:
            cogs.append(BackgroundCog(self))
        for cog in cogs:
            try:
                await self.add_cog(cog)
            except Exception:  # RoboDanny's rule: log a broken cog, keep the rest running
                log.exception("Could not add cog %s", cog.qualified_name)
        errors.install(self)

    @property
    def retry_task(self) -> tasks.Loop | None:
        """The background cog's retry loop (None when the bot runs without background work)."""
        cog = self.get_cog("Background")
        return cog.retry if isinstance(cog, BackgroundCog) else None

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: the student cog's listener answers messages (no CommandNotFound noise)."""

    async def on_ready(self) -> None:
        log.info("Connected as %s (%s) to %d guild(s)", self.user, self.user.id if self.user else "?", len(self.guilds))

    async def close(self) -> None:
        if self.get_cog("Background") is not None:
            await self.remove_cog("Background")  # stops its loop
        await super().close()
