"""Helpers shared by sub-commands: settings with command-line overrides, and what each command builds."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from ..bootstrap import Assistant, build_answerer, build_assistant, build_desk
from ..config import Settings, load_settings
from ..core.answering import Answerer
from ..core.desk import TicketDesk


def add_faq_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--faq", metavar="DIR", help="FAQ directory (default: setting faq_dir, 'faq')")


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", metavar="PATH_OR_URL",
        help="ticket database: a SQLite file path or a postgresql:// URL (default: setting database_url)",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    settings = load_settings(getattr(args, "config", None))
    if getattr(args, "faq", None):
        settings = replace(settings, faq_dir=args.faq)
    if getattr(args, "db", None):
        db = args.db
        if "://" not in db:
            db = "sqlite:///" + str(Path(db))
        settings = replace(settings, database_url=db)
    return settings


def assistant_from(args: argparse.Namespace) -> Assistant:
    """FAQ, matcher, desk and conversation: for commands that talk to students."""
    return build_assistant(settings_from(args))


def answerer_from(args: argparse.Namespace) -> Answerer:
    """Only the FAQ and matcher: `ask` and `eval` never touch a database."""
    return build_answerer(settings_from(args))


def desk_from(args: argparse.Namespace, *, create: bool = True) -> TicketDesk:
    """Only the ticket store: queue commands never load the FAQ. `create=False` for commands that only read."""
    return build_desk(settings_from(args), create=create)
