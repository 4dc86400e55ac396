"""Test-only entry point: the real `admissionsbot` command, with discord.py pointed at a fake Discord.

    python tests/multiprocess/bot_process.py run [--standby]

FAKE_DISCORD_URL (an http://127.0.0.1:PORT address, loopback only) replaces
Discord's REST base and gateway; everything else is the shipped code: settings
from the environment, the leader lease, delivery, retries.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

import discord.http
import yarl
from discord.gateway import DiscordWebSocket

from admissionsbot.cli import main


def point_at_fake_discord(url: str) -> None:
    if urlsplit(url).hostname != "127.0.0.1":
        raise SystemExit(f"bot_process.py talks to a fake Discord on 127.0.0.1 only, not {url!r}")
    discord.http.Route.BASE = url.rstrip("/") + "/api/v10"  # REST, and the webhook routes of interactions
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url.replace("http://", "ws://", 1).rstrip("/") + "/gateway")


if __name__ == "__main__":
    point_at_fake_discord(os.environ["FAKE_DISCORD_URL"])
    sys.exit(main(sys.argv[1:]))
