"""Gateway payloads for the fake server: ids, users, members, and the guild the bot sits in."""

from __future__ import annotations

from typing import Any

import discord

GUILD_ID = 1000
STAFF_CHANNEL_ID = 2000
HELP_CHANNEL_ID = 2001
GENERAL_CHANNEL_ID = 2002
STAFF_ROLE_ID = 3000
STUDENT_ROLE_ID = 3001
BOT_ID = 9000
APP_ID = 9000
STUDENT_ID = 5000
STAFF_ID = 6000
OTHER_ID = 5001
DM_CHANNEL_ID = 7000

TIMESTAMP = "2024-05-01T12:00:00+00:00"


def user(uid: int, name: str, bot: bool = False) -> dict[str, Any]:
    return {"id": str(uid), "username": name, "discriminator": "0", "global_name": name.title(), "avatar": None,
            "bot": bot, "public_flags": 0}


BOT_USER = user(BOT_ID, "admissionsbot", bot=True)
STUDENT = user(STUDENT_ID, "stu")
STAFF = user(STAFF_ID, "ada")
OTHER = user(OTHER_ID, "other")


def member(u: dict[str, Any], roles: tuple[int, ...] = ()) -> dict[str, Any]:
    return {"user": u, "roles": [str(r) for r in roles], "joined_at": TIMESTAMP, "deaf": False, "mute": False,
            "flags": 0, "permissions": str(discord.Permissions(view_channel=True, send_messages=True).value),
            "nick": None, "avatar": None, "pending": False}


def guild_payload() -> dict[str, Any]:
    def role(rid: int, name: str, position: int) -> dict[str, Any]:
        return {"id": str(rid), "name": name, "permissions": "0", "position": position, "color": 0,
                "hoist": False, "managed": False, "mentionable": False, "flags": 0}

    def channel(cid: int, name: str, position: int) -> dict[str, Any]:
        return {"id": str(cid), "type": 0, "name": name, "position": position, "permission_overwrites": [],
                "guild_id": str(GUILD_ID), "nsfw": False, "parent_id": None, "topic": None}

    return {
        "id": str(GUILD_ID), "name": "Music School", "icon": None, "owner_id": str(STAFF_ID), "features": [],
        "roles": [role(GUILD_ID, "@everyone", 0), role(STAFF_ROLE_ID, "Admissions", 2),
                  role(STUDENT_ROLE_ID, "Student", 1)],
        "channels": [channel(STAFF_CHANNEL_ID, "admissions-staff", 0), channel(HELP_CHANNEL_ID, "ask-admissions", 1),
                     channel(GENERAL_CHANNEL_ID, "general", 2)],
        "members": [member(BOT_USER), member(STAFF, (STAFF_ROLE_ID,)), member(STUDENT, (STUDENT_ROLE_ID,))],
        "member_count": 3, "emojis": [], "stickers": [], "large": False, "unavailable": False,
        "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
        "mfa_level": 0, "premium_tier": 0, "system_channel_flags": 0, "preferred_locale": "en-US",
    }
