"""`admissionsbot run` and `admissionsbot sync-commands`: the Discord bot.

The token comes only from the DISCORD_TOKEN environment variable: never a
file in the repository, never a command-line argument (it would show in the
process list), never logged. Application commands are synced on purpose with
`sync-commands`, not on every start (Discord rate-limits syncing).

`run --standby` waits for the leader lease in the ticket database before it
connects to Discord, so of several processes on one database one is active
and the others take over within `standby_takeover_seconds` when it stops
(adapters/leadership.py).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from typing import TYPE_CHECKING

import aiohttp

from ..bootstrap import build_assistant
from ..core.errors import AdmissionsError
from .common import CONFIG, DB, FAQ, add_command, settings_from

if TYPE_CHECKING:
    from ..adapters.discord.bot import AdmissionsBot

TOKEN_ENV = "DISCORD_TOKEN"


def no_token(command: str) -> str:
    """What to do without a token, ending with the command that was just tried."""
    return (
        "admissionsbot: no Discord bot token. Set the DISCORD_TOKEN environment variable to your bot's token "
        "(Discord developer portal > your application > Bot > Reset Token), e.g.\n"
        f"    export DISCORD_TOKEN=...   # then: admissionsbot {command}\n"
        "Never put the token in a file in the repository. To try the assistant without Discord, "
        "use `admissionsbot chat`."
    )


def register(sub: argparse._SubParsersAction) -> None:
    run = add_command(
        sub, "run", (CONFIG, FAQ, DB),
        help="run the Discord bot (token from $DISCORD_TOKEN)",
        description="Connect to Discord and answer students; staff work the queue in the staff channel. "
        "The token is read from the DISCORD_TOKEN environment variable only. See the README section 'Discord set-up'.",
    )
    run.add_argument(
        "--standby", action="store_true",
        help="do not connect to Discord until no other `admissionsbot run` on this database is active; take over "
        "within standby_takeover_seconds (default 30) when it stops, and redo what it left pending",
    )
    run.set_defaults(func=run_bot)

    sync = add_command(
        sub, "sync-commands", (CONFIG, FAQ, DB),
        help="register the bot's slash commands with Discord, then exit",
        description="Log in, sync the application command tree (globally, or to one guild with --guild, which "
        "takes effect at once), print what was synced and exit. Run it after installing or upgrading.",
    )
    sync.add_argument("--guild", type=int, metavar="ID", help="sync to this guild only (copy of the global commands)")
    sync.set_defaults(func=sync_commands)


def _token() -> str | None:
    token = os.environ.get(TOKEN_ENV, "").strip()
    return token or None


def run_bot(args: argparse.Namespace) -> int:
    token = _token()
    if token is None:
        print(no_token("run"), file=sys.stderr)
        return 2
    settings = settings_from(args)
    assistant = build_assistant(settings)  # a broken FAQ, database or office-hours setting stops here
    try:
        assistant.desk.store.check_writable()  # a read-only database stops here too, before Discord
    except AdmissionsError:
        assistant.shutdown()
        raise
    import discord

    from ..adapters.discord import log_redaction
    from ..adapters.discord.bot import AdmissionsBot

    standby = bool(getattr(args, "standby", False))
    try:
        bot = AdmissionsBot(assistant, settings, standby=standby)
        discord.utils.setup_logging(level=getattr(logging, settings.log_level.upper(), logging.INFO), root=True)
        log_redaction.install()  # even at DEBUG: no interaction tokens, bodies or contact details in the log
        asyncio.run(_start(bot, token, standby))
    except UNREACHABLE as exc:
        print(unreachable(exc), file=sys.stderr)
        return 2
    except discord.LoginFailure:
        print(REFUSED, file=sys.stderr)
        return 2
    except discord.PrivilegedIntentsRequired:
        print("admissionsbot: help_channel_ids is set, which needs the Message Content intent: enable it in the "
              "developer portal (your application > Bot > Privileged Gateway Intents), or clear help_channel_ids.",
              file=sys.stderr)
        return 2
    finally:
        assistant.shutdown()
    if bot.lost_lead:
        print("admissionsbot: this process stopped being the active one (the leader lease in the ticket database "
              "could not be renewed in time), so it left Discord; start it again (with --standby) to stand by.",
              file=sys.stderr)
        return 1
    return 0


REFUSED = "admissionsbot: Discord refused the token in DISCORD_TOKEN; reset it in the developer portal."
#: Raised when Discord cannot be reached at all (no network, name resolution fails, a proxy refuses).
UNREACHABLE = (aiohttp.ClientConnectionError, asyncio.TimeoutError, OSError)


def unreachable(exc: BaseException) -> str:
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return (f"admissionsbot: cannot reach Discord ({detail[:200]}). Check this machine's network and DNS, "
            "then start the bot again; nothing was lost: tickets and replies stay in the database.")


async def _start(bot: AdmissionsBot, token: str, standby: bool = False) -> None:
    async with bot:
        if standby:
            await bot.leadership.wait_until_leading()  # no Discord connection before this
        await bot.start(token)


def sync_commands(args: argparse.Namespace) -> int:
    token = _token()
    if token is None:
        print(no_token("sync-commands"), file=sys.stderr)
        return 2
    settings = settings_from(args)
    assistant = build_assistant(settings)
    import discord

    from ..adapters.discord.bot import AdmissionsBot

    try:
        bot = AdmissionsBot(assistant, settings, background=False)
        names = asyncio.run(_sync(bot, token, args.guild))
    except UNREACHABLE as exc:
        print(unreachable(exc), file=sys.stderr)
        return 2
    except discord.LoginFailure:
        print(REFUSED, file=sys.stderr)
        return 2
    finally:
        assistant.shutdown()
    where = f"guild {args.guild}" if args.guild else "all guilds (global; may take a while to appear)"
    print(f"Synced {len(names)} command(s) to {where}: {', '.join('/' + n for n in names)}")
    return 0


async def _sync(bot: object, token: str, guild_id: int | None) -> list[str]:
    import discord

    async with bot:  # type: ignore[attr-defined]
        await bot.login(token)  # type: ignore[attr-defined]  # runs setup_hook: the cogs add their commands
        tree = bot.tree  # type: ignore[attr-defined]
        guild = discord.Object(id=guild_id) if guild_id else None
        if guild is not None:
            tree.copy_global_to(guild=guild)
        synced = await tree.sync(guild=guild)
    return [command.name for command in synced]
