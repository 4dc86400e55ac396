"""Persistent components of the staff queue operations (issue 13), rebuilt from their custom ids.

- `AssignSelect` (`admissionsbot:assign-to:<ticket>`): the member picker the
  card's Assign button shows; staff-only, and the member picked must be staff.
- `FollowUpButton` (`admissionsbot:followup:<ticket>`): "Reply" under a staff
  reply DM'd to a student and in /mytickets; it opens the follow-up form. The
  desk accepts a follow-up only on the asker's own ticket, so a forwarded
  button is useless to anyone else.
- `ForgetButton` (`admissionsbot:forget:<platform>:<user id>`): the confirmation
  of /privacy forget; staff-only, checked again on click.

Like dynamic_items.py, callbacks only hand over to the bot's flows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast

import discord
from discord.ui import Button, DynamicItem, UserSelect, View

from . import errors
from .dynamic_items import NS, _bot, _Guarded

MAX_FOLLOWUP_BUTTONS = 5  # one row under /mytickets


class AssignSelect(_Guarded, DynamicItem[UserSelect[Any]], template=rf"{NS}:assign-to:(?P<number>[0-9]{{1,18}})"):
    """Pick the staff member a ticket goes to."""

    def __init__(self, number: int) -> None:
        super().__init__(UserSelect(custom_id=f"{NS}:assign-to:{number}", placeholder="Pick a staff member",
                                    min_values=1, max_values=1))
        self.number = number

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AssignSelect:
        return cls(int(match["number"]))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await errors.allow_staff(interaction)

    async def run(self, interaction: discord.Interaction) -> None:
        picked = self.item.values
        if not picked:
            await errors.tell(interaction, "Pick a staff member.")
            return
        await _bot(interaction).handover.assign(interaction, self.number, cast(discord.abc.User, picked[0]))


class FollowUpButton(_Guarded, DynamicItem[Button], template=rf"{NS}:followup:(?P<number>[0-9]{{1,18}})"):
    """A student answers a staff reply on that ticket."""

    def __init__(self, number: int, label: str = "Reply") -> None:
        super().__init__(Button(label=label, style=discord.ButtonStyle.secondary,
                                custom_id=f"{NS}:followup:{number}"))
        self.number = number

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FollowUpButton:
        return cls(int(match["number"]), getattr(item, "label", None) or "Reply")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await errors.allow_student(interaction)

    async def run(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).followups.open_form(interaction, self.number)


FORGET = rf"{NS}:forget:(?P<platform>[a-z]{{1,12}}):(?P<user>[A-Za-z0-9._@-]{{1,60}})"


class ForgetButton(_Guarded, DynamicItem[Button], template=FORGET):
    """Confirms /privacy forget: nothing is removed before this click."""

    @classmethod
    def fits(cls, platform: str, user_id: str) -> bool:
        """Whether this person can ride on the button (a console name with spaces cannot: use the CLI)."""
        return re.fullmatch(FORGET, f"{NS}:forget:{platform}:{user_id}") is not None

    def __init__(self, platform: str, user_id: str) -> None:
        super().__init__(Button(label="Forget this person", style=discord.ButtonStyle.danger,
                                custom_id=f"{NS}:forget:{platform}:{user_id}"))
        self.platform, self.user_id = platform, user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ForgetButton:
        return cls(match["platform"], match["user"])

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await errors.allow_staff(interaction)

    async def run(self, interaction: discord.Interaction) -> None:
        await _bot(interaction).office.forget(interaction, self.platform, self.user_id)


QUEUE_ITEMS = (AssignSelect, FollowUpButton, ForgetButton)


def followup_view(numbers: Iterable[int], *, labelled: bool = False) -> View:
    """"Reply" buttons for a student's tickets; `labelled` names each ticket (several in /mytickets)."""
    view = View(timeout=None)
    for number in list(numbers)[:MAX_FOLLOWUP_BUTTONS]:
        view.add_item(FollowUpButton(number, f"Reply to #{number}" if labelled else "Reply"))
    return view
