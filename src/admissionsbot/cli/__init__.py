"""The `admissionsbot` command. Each sub-command lives in its own module with a `register()`.

Errors the user can fix (AdmissionsError: bad FAQ, unusable database, bad
setting, missing ticket) are printed as one clear message with exit code 2 —
never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..core.errors import AdmissionsError
from . import ask_cmd, chat_cmd, eval_cmd, faq_cmd, privacy_cmd, queue_cmd, run_cmd, snippet_cmd, stats_cmd, tours_cmd
from .common import CONFIG, DB, FAQ, check_uses, shared


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="admissionsbot",
        description="Admissions assistant: FAQ answers, did-you-mean, and a staff queue (console or Discord).",
        epilog="--config, --faq and --db may also follow the command (admissionsbot queue list --db FILE); "
        "each command takes only those it uses.",
        parents=shared(CONFIG, FAQ, DB),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (chat_cmd, ask_cmd, faq_cmd, queue_cmd, snippet_cmd, privacy_cmd, tours_cmd, stats_cmd, eval_cmd,
                   run_cmd):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    check_uses(parser, args, extras)
    try:
        return int(args.func(args) or 0)
    except AdmissionsError as exc:
        print(f"admissionsbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
