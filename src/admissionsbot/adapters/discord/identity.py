"""Who is asking and who is staff, translated from Discord objects to core terms.

The store only ever sees an `Asker` (string ids) and a staff name string, so
no Discord type leaks past the adapter. Staff status is decided here, from the
member's roles, on every staff command, button and modal: Discord's default
command permissions only hide commands and can be changed by server admins.
"""

from __future__ import annotations

import discord
from discord import app_commands

from ...config import Settings
from ...core.models import Asker, Staff

PLATFORM = "discord"


class NotStaff(app_commands.CheckFailure):
    """Raised by the staff check; its message is shown to the member."""

    def __init__(self, message: str = "Only the admissions team can use this.") -> None:
        super().__init__(message)


def staff_member(user: discord.abc.User) -> Staff:
    """A staff member is their Discord id; the username is only how they are shown (it can change)."""
    return Staff(PLATFORM, str(user.id), user.name)


def staff_name(user: discord.abc.User) -> str:
    """The key that names this member in the queue's records ("discord:ID"), shown with their latest name."""
    return staff_member(user).key


def is_staff(user: discord.abc.User, guild_id: int | None, settings: Settings) -> bool:
    """A member of the configured guild holding one of staff_role_ids; in DMs nobody is."""
    if not isinstance(user, discord.Member) or guild_id is None:
        return False
    if settings.guild_id is not None and guild_id != settings.guild_id:
        return False
    # @everyone (whose id is the server id) is every member's role: it never makes anyone staff.
    staff_roles = set(settings.staff_role_ids) - {guild_id}
    held = {role.id for role in user.roles if not role.is_default()}
    return bool(staff_roles & held)


def require_staff(interaction: discord.Interaction, settings: Settings) -> None:
    """Raise NotStaff unless the interaction's user is staff."""
    if not is_staff(interaction.user, interaction.guild_id, settings):
        if not settings.staff_role_ids:
            raise NotStaff("No staff roles are configured (setting staff_role_ids), "
                           "so nobody can use staff commands yet.")
        raise NotStaff()


def _channel_link(guild_id: int | None, channel_id: int | None) -> str:
    if channel_id is None:
        return ""
    return f"https://discord.com/channels/{guild_id if guild_id else '@me'}/{channel_id}"


def asker_from_interaction(interaction: discord.Interaction) -> Asker:
    user = interaction.user
    private = interaction.guild_id is None
    message = interaction.message
    # A button under an ephemeral answer: that message exists only for the student, so link the channel.
    if message is not None and not message.flags.ephemeral:
        link = message.jump_url
    else:
        link = _channel_link(interaction.guild_id, interaction.channel_id)
    return Asker(
        platform=PLATFORM,
        user_id=str(user.id),
        display_name=user.display_name,
        location=str(interaction.channel_id or ""),
        link=link,
        private=private,
    )


def asker_from_message(message: discord.Message) -> Asker:
    return Asker(
        platform=PLATFORM,
        user_id=str(message.author.id),
        display_name=message.author.display_name,
        location=str(message.channel.id),
        link=message.jump_url,
        private=message.guild is None,
    )
