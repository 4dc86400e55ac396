"""Helpers shared by sub-commands: settings with command-line overrides, and what each command builds."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..bootstrap import Assistant, build_answerer, build_assistant, build_desk
from ..config import ConfigError, Settings, load_settings
from ..core.answering import Answerer
from ..core.desk import TicketDesk

#: The options every level of the command line may carry (`admissionsbot --db X queue list`,
#: `admissionsbot queue --db X list`, `admissionsbot queue list --db X`). Each command takes only
#: the ones it uses: `ask` and `eval` have no --db, the queue commands no --faq.
CONFIG, FAQ, DB = "config", "faq", "db"
FLAGS = {CONFIG: "--config", FAQ: "--faq", DB: "--db"}
USES = "_uses"  # set by add_command: which of CONFIG, FAQ, DB the command reads


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", metavar="FILE", default=argparse.SUPPRESS,
        help="settings file (default: $ADMISSIONSBOT_CONFIG or ./admissionsbot.yaml if present)",
    )


def _add_faq(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--faq", metavar="DIR", default=argparse.SUPPRESS,
                        help="FAQ directory (default: setting faq_dir, 'faq')")


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", metavar="PATH_OR_URL", default=argparse.SUPPRESS,
        help="ticket database: a SQLite file path or a postgresql:// URL (default: setting database_url)",
    )


_ADDERS: dict[str, Callable[[argparse.ArgumentParser], None]] = {CONFIG: _add_config, FAQ: _add_faq, DB: _add_db}


def shared(*names: str) -> list[argparse.ArgumentParser]:
    """Parent parsers for `add_parser(..., parents=shared(CONFIG, DB))`, at every level of a command.

    The options default to SUPPRESS: a level where an option is not given leaves the value an
    earlier level parsed alone, so it may stand before or after any sub-command.
    """
    parent = argparse.ArgumentParser(add_help=False)
    for name in names:
        _ADDERS[name](parent)
    return [parent]


def add_command(
    sub: argparse._SubParsersAction, name: str, options: tuple[str, ...], **kwargs: Any
) -> argparse.ArgumentParser:
    """A runnable command taking the shared `options` (and only those) after its name."""
    parser: argparse.ArgumentParser = sub.add_parser(name, parents=shared(*options), **kwargs)
    parser.set_defaults(**{USES: frozenset(options)})
    return parser


_UNUSED = {FAQ: "loads no FAQ", DB: "opens no ticket database"}


def check_uses(parser: argparse.ArgumentParser, args: argparse.Namespace, extras: list[str]) -> None:
    """Refuse a shared option a command has no use for, before it (`--db X ask`) or after it (`ask --db X`).

    `extras` are the arguments no parser recognised; any left once these are checked is an error too.
    """
    used: frozenset[str] = getattr(args, USES, frozenset(FLAGS))
    given_after = {extra.split("=", 1)[0] for extra in extras}
    for name, what in _UNUSED.items():
        if name not in used and (hasattr(args, name) or FLAGS[name] in given_after):
            parser.error(f"'{command_name(args)}' {what}; drop {FLAGS[name]}.")
    if extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")


def command_name(args: argparse.Namespace) -> str:
    words = [getattr(args, name, None) for name in ("command", "faq_command", "queue_command", "tours_command")]
    return " ".join(w for w in words if w)


def settings_from(args: argparse.Namespace) -> Settings:
    settings = load_settings(getattr(args, "config", None))
    faq, db = getattr(args, "faq", None), getattr(args, "db", None)
    for flag, value in (("--faq", faq), ("--db", db)):
        if value is not None and not value.strip():
            raise ConfigError(f"{flag} is empty; give a {'folder' if flag == '--faq' else 'file path or URL'}.")
    if faq is not None:
        settings = replace(settings, faq_dir=faq)
    if db is not None:
        # A plain path stays a plain path, exactly as in the database_url setting: 'my%20db' is a
        # file named my%20db either way; only a sqlite:/// URL is percent-decoded, like any URL.
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
