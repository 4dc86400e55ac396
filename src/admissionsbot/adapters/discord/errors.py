"""One error handler for application commands, buttons and modals.

The user gets a short ephemeral message (the service's own sentence for an
AdmissionsError, an apology for a bug), the log gets the traceback, and an
interaction is never answered twice: once it has a response, the apology
goes out as a followup instead.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from ...core.errors import AdmissionsError, StorageError
from .embeds import MESSAGE_CHARS, clip
from .identity import NotStaff, is_staff, require_staff

if TYPE_CHECKING:
    from .bot import AdmissionsBot

log = logging.getLogger(__name__)

APOLOGY = ("Sorry, something went wrong on my side. Please try again in a minute; if it keeps happening, "
           "tell the admissions team.")
STORAGE_APOLOGY = ("Sorry, I couldn't reach our records just now. Please try again in a minute; "
                   "nothing you sent is lost.")


async def tell(interaction: discord.Interaction, content: str, **kwargs: Any) -> None:
    """Send an ephemeral message whether or not the interaction was already answered."""
    content = clip(content, MESSAGE_CHARS)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, **kwargs)
        else:
            await interaction.response.send_message(content, ephemeral=True, **kwargs)
    except discord.HTTPException as exc:  # token expired, interaction unknown: nothing more to do
        log.warning("Could not answer interaction %s: %s", interaction.id, exc)


def is_staff_member(interaction: discord.Interaction) -> bool:
    return is_staff(interaction.user, interaction.guild_id, interaction.client.settings)  # type: ignore[attr-defined]


async def allow_staff(interaction: discord.Interaction) -> bool:
    """The check every staff button and form runs: a non-staff member is told why, privately."""
    try:
        require_staff(interaction, interaction.client.settings)  # type: ignore[attr-defined]
    except NotStaff as exc:
        await tell(interaction, str(exc))
        return False
    return True


NOT_YOURS = "These buttons are for the student who asked. Ask your own question with `/ask`."


def asked_by_someone_else(interaction: discord.Interaction) -> bool:
    """A button under the bot's public reply to another member's message (help channels)."""
    message = interaction.message
    reference = message.reference if message is not None else None
    author = getattr(reference.resolved if reference is not None else None, "author", None)
    return author is not None and author.id != interaction.user.id


OTHER_SERVER = "I only answer in the school's Discord server or in a direct message."


def in_our_server(interaction: discord.Interaction) -> bool:
    """DMs, or the configured guild (any guild when guild_id is not set): the rule for every student path."""
    configured = interaction.client.settings.guild_id  # type: ignore[attr-defined]
    return interaction.guild_id is None or configured is None or interaction.guild_id == configured


class NotHere(app_commands.CheckFailure):
    """A student command used in another server; the message says where the bot answers."""

    def __init__(self) -> None:
        super().__init__(OTHER_SERVER)


def require_our_server(interaction: discord.Interaction) -> bool:
    """The app-command check: raises NotHere (answered once by `handle`) outside our server and DMs."""
    if not in_our_server(interaction):
        raise NotHere()
    return True


async def allow_student(interaction: discord.Interaction) -> bool:
    """The check every student command and the tour button run."""
    if not in_our_server(interaction):
        await tell(interaction, OTHER_SERVER)
        return False
    return True


async def allow_asker(interaction: discord.Interaction) -> bool:
    """The check student buttons run: our server, and in a channel only the student who asked."""
    if not await allow_student(interaction):
        return False
    if asked_by_someone_else(interaction):
        await tell(interaction, NOT_YOURS)
        return False
    return True


def unwrap(error: BaseException) -> BaseException:
    """The exception that actually happened, under discord.py's wrappers."""
    if isinstance(error, app_commands.CommandInvokeError):
        return error.original
    return error


async def handle(interaction: discord.Interaction, error: BaseException, where: str) -> None:
    """Answer the user for any failure; log real bugs with their traceback."""
    original = unwrap(error)
    if isinstance(original, StorageError):  # paths, hosts and drivers are for the log and staff, not students
        bot: AdmissionsBot = interaction.client  # type: ignore[assignment]
        await bot.delivery.report_storage_error(original)
        await tell(interaction, str(original) if is_staff_member(interaction) else STORAGE_APOLOGY)
        return
    if isinstance(original, AdmissionsError):
        await tell(interaction, str(original))
        return
    if isinstance(original, (NotStaff, NotHere, app_commands.NoPrivateMessage)):
        await tell(interaction, str(original) or "That only works in the server.")
        return
    if isinstance(original, app_commands.TransformerError):
        value = str(original.value)[:100]
        await tell(interaction, f"I couldn't use the value {value!r} there; please check it and try again.")
        return
    if isinstance(original, app_commands.CheckFailure):
        await tell(interaction, "You can't use that here.")
        return
    if isinstance(original, discord.Forbidden) and original.code in (50001, 50013):
        client: AdmissionsBot = interaction.client  # type: ignore[assignment]
        await client.delivery.report_missing_permission(interaction.channel_id, original)
        await tell(interaction,
                   "I don't have permission to do that in this channel; the admissions team has been told.")
        return
    log.error("Error in %s (interaction %s, user %s)", where, interaction.id, interaction.user.id, exc_info=original)
    await tell(interaction, APOLOGY)


async def on_app_command_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    command = interaction.command.qualified_name if interaction.command else "an application command"
    await handle(interaction, error, f"/{command}")


def install(bot: AdmissionsBot) -> None:
    bot.tree.error(on_app_command_error)
