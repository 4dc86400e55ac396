"""Helpers shared by sub-commands: settings with command-line overrides, the service."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from ..bootstrap import build_service
from ..config import Settings, load_settings
from ..core.service import AdmissionsService


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


def service_from(args: argparse.Namespace) -> AdmissionsService:
    return build_service(settings_from(args))
