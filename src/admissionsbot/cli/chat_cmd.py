"""`admissionsbot chat`: the console conversation on the local FAQ and database."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from ..adapters.console import ConsoleChat
from ..core.models import Asker
from .common import CONFIG, DB, FAQ, add_command, assistant_from


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "chat", (CONFIG, FAQ, DB),
        help="talk to the assistant in this terminal (no Discord needed)",
        description="A terminal conversation: answers, did-you-mean choices, hand-off to staff and tour "
        "requests. Reads one line per turn, so it also works from a pipe.",
    )
    p.add_argument("--user", help="who you are in the queue (default: your login name)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    assistant = assistant_from(args)
    user = printable(args.user) if args.user else _login_name()
    asker = Asker(platform="console", user_id=user, display_name=user, location="console", private=True)
    chat = ConsoleChat(assistant.conversation, asker, sys.stdout)
    interactive = sys.stdin.isatty()

    def prompt() -> None:
        sys.stdout.write("you> ")
        sys.stdout.flush()

    try:
        chat.run(_lines(), prompt if interactive else None)
    except KeyboardInterrupt:
        sys.stdout.write("\n")
        chat.end()
    finally:
        assistant.shutdown()
    return 0


def _lines():
    """Lines from stdin without the trailing newline; tolerant of undecodable bytes."""
    stream = sys.stdin
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="replace")
    for line in stream:
        yield line.rstrip("\n")


def _login_name() -> str:
    try:
        return printable(getpass.getuser()) or "console-user"
    except Exception:  # noqa: BLE001 - no login name in some containers; any fallback will do
        return "console-user"


def printable(name: str) -> str:
    """A name from argv or the environment as text: bytes that are not UTF-8 (surrogate escapes) become U+FFFD."""
    return os.fsencode(name).decode("utf-8", "replace").strip()
